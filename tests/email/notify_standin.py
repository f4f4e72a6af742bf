#!/usr/bin/python3
"""A stand-in for GOV.UK Notify's email API on loopback, for the email tests.

Answers `POST /v2/notifications/email` as Notify's API documentation says:
the `Authorization: Bearer <JWT>` must be HS256, signed with the secret key
of the API key given, with `iss` = the service id and `iat` within 30
seconds of now (PyJWT from Debian's python3-jwt checks it); the JSON body
may hold only Notify's fields, needs `email_address` and `template_id` (the
one given), and `personalisation` must fill the template's ((subject)) and
((body)). A good request gets 201 with a notification id, and is written to
<folder>/<n>.json; a bad token 403 AuthError, a bad body 400
BadRequestError/ValidationError, each as {"status_code", "errors": [{"error",
"message"}]}. An address whose local part starts with "teamonly" gets 400 (as a team
key's would), "ratelimit" 429
(RateLimitError), "outage" 500 (Exception).

`GET /v2/notifications/{id}` (the same token checks) answers the
notification with its `status`: "delivered", except for an address whose
local part starts with "bounce", which is "sending" the first time it is
asked and "permanent-failure" after (a late bounce); an unknown id gets 404
NoResultFound. Each GET is appended to <folder>/status.log as
"<id> <status>". Prints "listening on
127.0.0.1:PORT", then serves until SIGTERM. Synthetic data only.
"""
import argparse
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

FIELDS = {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id",
          "one_click_unsubscribe_url"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def make_handler(args, secret, service_id):
    counter = {"n": 0}
    sent = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, kind, message):
            self.answer(status, {"status_code": status, "errors": [{"error": kind, "message": message}]})

        def check_token(self):
            """(header, claims) of a good token; None once the error is answered."""
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                self.error(401, "AuthError", "Unauthorized: authentication token must be provided")
                return None
            token = auth[len("Bearer "):]
            try:
                header = jwt.get_unverified_header(token)
                if header.get("alg") != "HS256" or header.get("typ") != "JWT":
                    self.error(403, "AuthError", "Invalid token: algorithm used is not HS256")
                    return None
                claims = jwt.decode(token, secret, algorithms=["HS256"],
                                    options={"require": ["iss", "iat"], "verify_iat": False})
            except jwt.InvalidTokenError as e:
                self.error(403, "AuthError", "Invalid token: %s" % type(e).__name__)
                return None
            if claims["iss"] != service_id:
                self.error(403, "AuthError", "Invalid token: service not found")
                return None
            if not isinstance(claims["iat"], int) or abs(time.time() - claims["iat"]) > 30:
                self.error(403, "AuthError",
                           "Error: Your system clock must be accurate to within 30 seconds")
                return None
            return header, claims

        def do_GET(self):
            prefix = "/v2/notifications/"
            if not self.path.startswith(prefix):
                return self.error(404, "NotFound", "not found")
            if self.check_token() is None:
                return None
            notification_id = self.path[len(prefix):]
            with lock:
                known = sent.get(notification_id)
                if known is None:
                    return self.error(404, "NoResultFound", "No result found")
                known["asked"] += 1
                status = "delivered"
                if known["address"].split("@", 1)[0].lower().startswith("bounce"):
                    status = "sending" if known["asked"] == 1 else "permanent-failure"
                with open(os.path.join(args.folder, "status.log"), "a") as log:
                    log.write("%s %s\n" % (notification_id, status))
            self.answer(200, {"id": notification_id, "reference": known["reference"],
                              "email_address": known["address"], "type": "email",
                              "status": status, "template": {"id": args.template_id, "version": 1}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if self.path != "/v2/notifications/email":
                return self.error(404, "NotFound", "not found")
            checked = self.check_token()
            if checked is None:
                return None
            header, claims = checked
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.error(400, "BadRequestError", "Content-Type must be application/json")
            try:
                body = json.loads(raw)
            except ValueError:
                return self.error(400, "BadRequestError", "Invalid JSON supplied in POST data")
            if not isinstance(body, dict):
                return self.error(400, "ValidationError", "body must be an object")
            unknown = sorted(set(body) - FIELDS)
            if unknown:
                return self.error(400, "ValidationError",
                                  "Additional properties are not allowed (%s)" % ", ".join(unknown))
            for field in ("email_address", "template_id"):
                if not isinstance(body.get(field), str):
                    return self.error(400, "ValidationError", "%s is a required property" % field)
            if body["template_id"] != args.template_id:
                return self.error(400, "BadRequestError", "Template not found")
            personalisation = body.get("personalisation")
            if not isinstance(personalisation, dict):
                return self.error(400, "BadRequestError", "Missing personalisation: body, subject")
            missing = [k for k in ("body", "subject") if not isinstance(personalisation.get(k), str)]
            if missing:
                return self.error(400, "BadRequestError",
                                  "Missing personalisation: %s" % ", ".join(missing))
            if "reference" in body and not isinstance(body["reference"], str):
                return self.error(400, "ValidationError", "reference must be a string")
            address = body["email_address"]
            if not EMAIL.match(address):
                return self.error(400, "ValidationError", "email_address Not a valid email address")
            local = address.split("@", 1)[0].lower()
            if local.startswith("teamonly"):
                return self.error(400, "BadRequestError",
                                  "Can't send to this recipient using a team-only API key")
            if local.startswith("ratelimit"):
                return self.error(429, "RateLimitError",
                                  "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
            if local.startswith("outage"):
                return self.error(500, "Exception", "Internal server error")
            notification_id = str(uuid.uuid4())
            with lock:
                sent[notification_id] = {"address": address, "reference": body.get("reference"),
                                         "asked": 0}
                counter["n"] += 1
                name = os.path.join(args.folder, "%04d.json" % counter["n"])
            record = {"request": body, "jwt": {"header": header, "claims": claims},
                      "id": notification_id}
            with open(name + ".tmp", "w") as out:
                json.dump(record, out)
            os.rename(name + ".tmp", name)
            base = "http://127.0.0.1:%d" % self.server.server_address[1]
            self.answer(201, {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {"subject": personalisation["subject"], "body": personalisation["body"],
                            "from_email": "frontdoor@notifications.service.gov.uk"},
                "uri": "%s/v2/notifications/%s" % (base, notification_id),
                "template": {"id": args.template_id, "version": 1,
                             "uri": "%s/v2/template/%s/version/1" % (base, args.template_id)},
            })

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--api-key", required=True, help="<key name>-<service id>-<secret key>")
    parser.add_argument("--template-id", required=True)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    secret = args.api_key[-36:]
    service_id = args.api_key[-73:-37]
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args, secret, service_id))
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
