"""A real SMTP server for the e-mail tests (tests/mail.rs): aiosmtpd on loopback.

Every message it receives is parsed by Python's own `email` package (MIME parts, RFC 2047 headers,
quoted-printable and base64 bodies) and appended as one JSON line to the file named first on the
command line, so the tests read what a mail client would show. Prints `ready` once it listens.

    python tests/smtp/smtp_sink.py <received.jsonl> <port>
"""

import json
import signal
import sys
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        msg = BytesParser(policy=policy.default).parsebytes(envelope.content)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "content_language": str(msg.get("content-language", "")),
            "list_unsubscribe": str(msg.get("list-unsubscribe", "")),
            "list_unsubscribe_post": str(msg.get("list-unsubscribe-post", "")),
            "message_id": str(msg.get("message-id", "")),
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def main():
    path, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Keep(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.pause()


if __name__ == "__main__":
    main()
