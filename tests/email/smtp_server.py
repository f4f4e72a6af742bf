#!/usr/bin/python3
"""A real SMTP server on loopback for the email tests (Debian's python3-aiosmtpd).

STARTTLS is required before anything else (the certificate and key given,
made by tests/support/pki.h), AUTH PLAIN/LOGIN with the one user given
(only after STARTTLS), and each accepted message is written as
<folder>/<n>.eml (written to a temporary name, then renamed, so a reader
never sees half a message). A recipient whose local part starts with
"bounce" is refused with 550; one starting with "later" gets 451 (try
again). Prints "listening on 127.0.0.1:PORT" once it accepts connections,
then serves until SIGTERM. Synthetic data only.
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Folder:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.folder, "%04d.eml" % self.count)
        with open(name + ".tmp", "wb") as out:
            out.write(("X-Envelope-From: %s\r\n" % envelope.mail_from).encode())
            out.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(("X-Authenticated: %s\r\n" % (session.authenticated and "yes" or "no")).encode())
            out.write(("X-TLS: %s\r\n" % (session.ssl is not None and "yes" or "no")).encode())
            out.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 queued as %04d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        return AuthResult(success=ok, handled=False)

    handler = Folder(args.folder)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, hostname="smtp.test", tls_context=context, require_starttls=True,
                    auth_required=True, auth_require_tls=True, authenticator=authenticate)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    loop.add_signal_handler(signal.SIGINT, lambda: stop.done() or stop.set_result(None))
    print("listening on 127.0.0.1:%d" % port, flush=True)
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())
    return 0


if __name__ == "__main__":
    sys.exit(main())
