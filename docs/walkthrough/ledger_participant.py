#!/usr/bin/env python3
"""A saga participant in Python, written from docs/wire-contract.md alone (no SDK).

The `ledger` participant of the walkthrough's `transfer` saga (docs/walkthrough/README.md). It
reads `<prefix>.ledger.commands` in the consumer group `<prefix>.ledger`, executes `Debit`,
`Credit` and `Refund` against accounts it keeps in memory, and replies on each command's
`replyTopic`. What the contract asks of every participant, and where this file does it:

- one reply per command, keyed by the saga id, headers copied (`reply_to`);
- deduplicate on `commandId`: a re-delivered command gets the recorded reply again (`handled`);
- a compensation (`Refund`) succeeds when there is nothing to undo;
- drop a command whose `expiresAt` has passed, without replying;
- dead-letter what cannot be processed, with the reason, and go on (`dead_letter`);
- commit offsets only after the replies are acknowledged by the broker.

Needs kafka-python (Debian: `apt-get install python3-kafka`, then run it with /usr/bin/python3),
whose default partitioner is Java's murmur2, as the contract requires.

Usage: ledger_participant.py --brokers 127.0.0.1:9092 --prefix saga \
           --accounts alice=100,bob=0 --frozen carol
On stop (SIGTERM or SIGINT) it prints its accounts as one JSON line and exits 0.
"""

import argparse
import json
import signal
import sys
from datetime import datetime, timezone

from kafka import KafkaConsumer, KafkaProducer

PARTICIPANT = "ledger"


def log(event, **fields):
    """One JSON line per event on stdout (the walkthrough's test reads them)."""
    print(json.dumps({"event": event, **fields}), flush=True)


class Ledger:
    """Accounts and the business keys that make each command idempotent by itself too."""

    def __init__(self, balances, frozen):
        self.balances = dict(balances)
        self.frozen = set(frozen)
        self.debits = {}  # transferId -> {"debitId", "account", "amount", "refunded"}
        self.credits = {}  # transferId -> creditId

    def debit(self, p):
        existing = self.debits.get(p["transferId"])
        if existing:
            return {"debitId": existing["debitId"]}
        if self.balances.get(p["account"], 0) < p["amount"]:
            raise Refusal("INSUFFICIENT_FUNDS", f"{p['account']} cannot pay {p['amount']}")
        self.balances[p["account"]] -= p["amount"]
        debit_id = f"debit-{p['transferId']}"
        self.debits[p["transferId"]] = {
            "debitId": debit_id,
            "account": p["account"],
            "amount": p["amount"],
            "refunded": False,
        }
        return {"debitId": debit_id}

    def credit(self, p):
        if p["transferId"] in self.credits:
            return {"creditId": self.credits[p["transferId"]]}
        if p["account"] in self.frozen:
            raise Refusal("ACCOUNT_FROZEN", f"{p['account']} takes no credit")
        self.balances[p["account"]] = self.balances.get(p["account"], 0) + p["amount"]
        self.credits[p["transferId"]] = f"credit-{p['transferId']}"
        return {"creditId": self.credits[p["transferId"]]}

    def refund(self, p):
        debit = self.debits.get(p["transferId"])
        if not debit or debit["refunded"]:
            return {"refunded": False}  # nothing to undo: a compensation still succeeds
        self.balances[debit["account"]] += debit["amount"]
        debit["refunded"] = True
        return {"refunded": True}


class Refusal(Exception):
    """A business refusal: the reply is a failure with `retryable: false`."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def header_dict(headers):
    return {key: value.decode("utf-8") for key, value in (headers or [])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--prefix", default="saga")
    parser.add_argument("--accounts", default="", help="name=balance,…")
    parser.add_argument("--frozen", default="", help="accounts that refuse credits, comma list")
    args = parser.parse_args()
    balances = {
        name: int(amount)
        for name, amount in (pair.split("=") for pair in args.accounts.split(",") if pair)
    }
    ledger = Ledger(balances, [name for name in args.frozen.split(",") if name])
    handlers = {"Debit": ledger.debit, "Credit": ledger.credit, "Refund": ledger.refund}
    handled = {}  # commandId -> the reply sent (a real service keeps this with its state)

    brokers = args.brokers.split(",")
    commands_topic = f"{args.prefix}.{PARTICIPANT}.commands"
    consumer = KafkaConsumer(
        commands_topic,
        bootstrap_servers=brokers,
        group_id=f"{args.prefix}.{PARTICIPANT}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    producer = KafkaProducer(bootstrap_servers=brokers, acks="all", linger_ms=5)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    def dead_letter(record, code, reason):
        headers = list(record.headers or []) + [
            ("dlq-reason", reason.encode()),
            ("dlq-error-code", code.encode()),
            ("dlq-source-topic", record.topic.encode()),
            ("dlq-source-partition", str(record.partition).encode()),
            ("dlq-source-offset", str(record.offset).encode()),
            ("dlq-source", f"participant:{PARTICIPANT}".encode()),
            ("dlq-at", datetime.now(timezone.utc).isoformat().encode()),
        ]
        log("dead-lettered", code=code, reason=reason, offset=record.offset)
        return producer.send(f"{args.prefix}.dlq", key=record.key, value=record.value, headers=headers)

    def reply_to(record, command, reply):
        handled[command["commandId"]] = reply
        headers = header_dict(record.headers)
        headers["saga-message-type"] = command["type"]
        return producer.send(
            command["replyTopic"],
            key=command["sagaId"].encode(),
            value=json.dumps(reply).encode(),
            headers=[(key, value.encode()) for key, value in headers.items()],
        )

    def process(record):
        try:
            command = json.loads(record.value.decode("utf-8"))
            command_id, handler = command["commandId"], handlers.get(command["type"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return dead_letter(record, "MALFORMED", f"not a command: {error}")
        if handler is None:
            return dead_letter(record, "UNKNOWN", f"no handler for {command['type']}")
        if command_id in handled:  # a re-delivery: the same reply again, no second effect
            log("duplicate", commandId=command_id)
            return reply_to(record, command, handled[command_id])
        expires = datetime.fromisoformat(command["expiresAt"].replace("Z", "+00:00"))
        if expires < datetime.now(timezone.utc):
            log("expired", commandId=command_id)
            return None
        answer = {"commandId": command_id, "sagaId": command["sagaId"], "type": command["type"]}
        try:
            answer.update(outcome="success", payload=handler(command["payload"]))
        except Refusal as refusal:
            answer.update(
                outcome="failure",
                error={"code": refusal.code, "message": str(refusal), "retryable": False},
            )
        log("handled", commandId=command_id, type=command["type"], outcome=answer["outcome"])
        return reply_to(record, command, answer)

    ready = False
    while not stopping:
        batches = consumer.poll(timeout_ms=200)
        if not ready and consumer.assignment():
            ready = True
            log("ready", topic=commands_topic)
        sends = [process(record) for records in batches.values() for record in records]
        for sent in sends:
            if sent is not None:
                sent.get(timeout=10)  # acknowledged by the broker before the offset moves on
        if batches:
            consumer.commit()
    consumer.close()
    producer.close()
    log("stopped", balances=ledger.balances)
    return 0


if __name__ == "__main__":
    sys.exit(main())
