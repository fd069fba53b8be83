"""A stand-in for the five chat apps on loopback: `vendor` is an HTTP server in a thread that
answers at /wecom/…, /dingtalk/…, /feishu/…, /slack/…, /teams/…, checks each payload's shape and
the DingTalk and Feishu signatures with its own code (as the vendors document them, not with
Accord's), and answers as told: "ok", "rate" (the app's rate-limit error), "bad" (a bad token
or a removed bot), "500", or "hang" (no answer before the client's time-out)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from chats.models import EventKind

ALL_KINDS = [kind.value for kind in EventKind]

OK = {
    "wecom": (200, {"errcode": 0, "errmsg": "ok"}),
    "dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
    "feishu": (200, {"code": 0, "msg": "success", "data": {}}),
    "slack": (200, "ok"),
    "teams": (202, ""),
}
RATE = {
    "wecom": (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
    "dingtalk": (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}),
    "feishu": (200, {"code": 11232, "msg": "frequency limited", "data": {}}),
    "slack": (429, "rate_limited"),
    "teams": (429, "Too Many Requests"),
}
BAD = {
    "wecom": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
    "dingtalk": (200, {"errcode": 300001, "errmsg": "token is not exist"}),
    "feishu": (200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}),
    "slack": (404, "no_service"),
    "teams": (404, "Not Found"),
}
SIGN_REFUSED = {
    "dingtalk": (200, {"errcode": 310000, "errmsg": "sign not match"}),
    "feishu": (200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}),
}


def dingtalk_signature_ok(query: dict, secret: str) -> bool:
    """As DingTalk documents it: string_to_sign = timestamp + "\\n" + secret, HmacSHA256 keyed
    with the secret, Base64, then URL-encoded in the query (decoded here by parse_qs)."""
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return False
    mac = hmac.new(secret.encode("utf-8"), (timestamp + "\n" + secret).encode("utf-8"), "sha256")
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sign)


def feishu_signature_ok(body: dict, secret: str) -> bool:
    """As Feishu documents it: timestamp + "\\n" + secret is the HmacSHA256 *key*, the message
    is empty, Base64; the timestamp in seconds, within an hour."""
    timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
        return False
    key = (timestamp + "\n" + secret).encode("utf-8")
    expected = base64.b64encode(hmac.new(key, digestmod=hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, sign)


def shape_problem(vendor: str, body: dict) -> str:
    """What is wrong with a payload's shape ("" when it is right)."""
    if vendor == "wecom":
        ok = body.get("msgtype") == "markdown" and isinstance(body["markdown"].get("content"), str)
    elif vendor == "dingtalk":
        markdown = body.get("markdown", {})
        ok = body.get("msgtype") == "markdown" and {"title", "text"} <= set(markdown)
    elif vendor == "feishu":
        ok = body.get("msg_type") == "text" and isinstance(body["content"].get("text"), str)
    elif vendor == "slack":
        ok = isinstance(body.get("text"), str) and set(body) == {"text"}
    else:
        [attachment] = body["attachments"]
        card = attachment["content"]
        ok = (
            body.get("type") == "message"
            and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            and card["type"] == "AdaptiveCard"
            and card["version"] == "1.4"
            and card["body"][0]["type"] == "TextBlock"
            and all(action["type"] == "Action.OpenUrl" for action in card["actions"])
        )
    return "" if ok else f"bad {vendor} payload"


def text_of(vendor: str, body: dict) -> str:
    if vendor in ("wecom", "dingtalk"):
        return body["markdown"].get("content") or body["markdown"]["text"]
    if vendor == "feishu":
        return body["content"]["text"]
    if vendor == "slack":
        return body["text"]
    card = body["attachments"][0]["content"]
    return card["body"][0]["text"] + "\n" + "\n".join(a["url"] for a in card["actions"])


class Vendor:
    def __init__(self):
        self.answer = "ok"
        self.secrets: dict[str, str] = {}  # DingTalk token or Feishu hook → signing secret
        self.received: list[tuple[str, str, dict]] = []  # (vendor, hook, body) delivered
        self.requests = 0
        self.problems: list[str] = []
        self.release = threading.Event()
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                vendor.requests += 1
                parts = urlsplit(self.path)
                name, _, hook = parts.path.strip("/").partition("/")
                query = parse_qs(parts.query)
                if name == "wecom":
                    hook = query.get("key", [""])[0]
                elif name == "dingtalk":
                    hook = query.get("access_token", [""])[0]
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = vendor.reply(name, hook, query, body)
                if status is None:
                    vendor.release.wait(10)
                    return
                data = (json.dumps(answer) if isinstance(answer, dict) else answer).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "30")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def reply(self, name: str, hook: str, query: dict, body: dict):
        if self.answer == "hang":
            return None, None
        if self.answer == "500":
            return 500, "Internal Server Error"
        if self.answer == "rate":
            return RATE[name]
        if self.answer == "bad":
            return BAD[name]
        problem = shape_problem(name, body)
        if problem:
            self.problems.append(problem)
            return 400, problem
        secret = self.secrets.get(hook)
        if secret and name == "dingtalk" and not dingtalk_signature_ok(query, secret):
            return SIGN_REFUSED[name]
        if secret and name == "feishu" and not feishu_signature_ok(body, secret):
            return SIGN_REFUSED[name]
        self.received.append((name, hook, body))
        return OK[name]

    def address(self, vendor: str, hook: str) -> str:
        if vendor == "wecom":
            return f"{self.url}/wecom/send?key={hook}"
        if vendor == "dingtalk":
            return f"{self.url}/dingtalk/robot/send?access_token={hook}"
        return f"{self.url}/{vendor}/{hook}"

    def texts(self) -> list[str]:
        return [text_of(name, body) for name, _, body in self.received]
