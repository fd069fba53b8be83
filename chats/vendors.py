"""What each chat app expects: where to post, the shape of the message, how it is signed, and
what its answers mean. Pure functions of their arguments (no database, no network), so that each
vendor reads as one table.

Documented behaviour relied on:
- WeCom group robot: POST …/cgi-bin/webhook/send?key=KEY, {"msgtype": "markdown", …}; answers
  {"errcode": 0}; 45009 = over the rate limit (20 a minute), 93000 = invalid webhook URL.
- DingTalk custom robot: POST …/robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN], the
  sign being Base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded;
  answers {"errcode": 0}; 130101 = sending too fast (20 a minute, then blocked for 10 minutes);
  300001 = no such token, 310000 = signature, keyword or IP allow-list refused.
- Feishu / Lark custom bot: POST the hook URL, {"msg_type": "text", …} with, when signed,
  "timestamp" (seconds) and "sign" = Base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=""))
  in the body; answers {"code": 0}; 9499 and 11232 = rate limited (100 a minute, 5 a second);
  19001 = invalid token, 19021 = signature refused, 19024 = keyword missing.
- Slack incoming webhook: POST {"text": …}; answers 200 "ok"; 429 with Retry-After; 403/404/410
  with "action_prohibited", "no_service", "channel_not_found", "channel_is_archived"….
- Microsoft Teams workflow webhook: POST a message with an Adaptive Card attachment; answers
  200 or 202; 429 with Retry-After; 404 once the workflow is gone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from chats.models import Vendor

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={}"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token={}"
# WeCom's markdown content is at most 4096 bytes; the others allow more. Kept well under.
MAX_TEXT = 3000

# Messages a bot may take per window of seconds: (seconds, messages).
LIMITS: dict[str, list[tuple[int, int]]] = {
    Vendor.WECOM: [(60, 20)],
    Vendor.DINGTALK: [(60, 20)],
    Vendor.FEISHU: [(60, 100), (1, 5)],
    Vendor.SLACK: [(1, 1)],
    Vendor.TEAMS: [(1, 4)],
}
# How long to hold messages back when the vendor itself says "too fast".
THROTTLED_FOR = {
    Vendor.WECOM: 60,
    Vendor.DINGTALK: 600,  # DingTalk blocks the robot for ten minutes
    Vendor.FEISHU: 60,
    Vendor.SLACK: 60,
    Vendor.TEAMS: 60,
}
RATE_LIMITED = {Vendor.WECOM: {45009}, Vendor.DINGTALK: {130101}, Vendor.FEISHU: {9499, 11232}}
REFUSED_FOR_GOOD = {
    Vendor.WECOM: {93000},
    Vendor.DINGTALK: {300001, 310000},
    Vendor.FEISHU: {19001, 19021, 19024},
}
GONE_STATUSES = {403, 404, 410}


@dataclass(frozen=True)
class Post:
    """A message for a group: a heading, the lines under it and links (label, URL). Heading and
    text are plain text (they hold what people typed: titles, names, comments); each vendor's
    function below escapes them for its own markup and sets the heading in bold."""

    title: str
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)


# Markup characters of each vendor, replaced so that typed text never becomes a link, emphasis,
# a heading, a quote, a font tag or a mention. WeCom's and DingTalk's Markdown subsets document
# no backslash escapes, nor do Teams' Adaptive Cards, Slack's mrkdwn (beyond &amp; &lt; &gt;) or
# Feishu's text (whose <at user_id="all"> mentions everyone): the characters become their
# full-width look-alikes, which every client shows as text.
FULL_WIDTH = {
    "[": "［",
    "]": "］",
    "*": "＊",
    "_": "＿",
    "`": "｀",
    "~": "～",
    "#": "＃",
    "<": "＜",
    ">": "＞",
}
MARKDOWN_TEXT = str.maketrans(FULL_WIDTH)
SLACK_TEXT = str.maketrans({**FULL_WIDTH, "&": "&amp;", "<": "&lt;", ">": "&gt;"})
FEISHU_TEXT = str.maketrans({"<": "＜", ">": "＞"})


@dataclass(frozen=True)
class Request:
    url: str
    params: dict[str, str]
    body: dict


@dataclass(frozen=True)
class Outcome:
    """What an answer means: delivered, `later` (seconds), `broken` (why) or `failed` (why)."""

    delivered: bool = False
    later: float | None = None
    broken: str = ""
    failed: str = ""


DELIVERED = Outcome(delivered=True)


def endpoint(vendor: str, address: str) -> str:
    """The URL to post to: the address itself, or WeCom's key / DingTalk's token in its URL."""
    address = address.strip()
    if address.startswith(("https://", "http://")):
        return address
    if vendor == Vendor.WECOM:
        return WECOM_URL.format(quote(address, safe=""))
    if vendor == Vendor.DINGTALK:
        return DINGTALK_URL.format(quote(address, safe=""))
    raise ValueError(f"a {vendor} bot needs the webhook URL")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, before URL-encoding (requests encodes the query parameter)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: the string to sign is the key, the message is empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build(vendor: str, address: str, secret: str, post: Post, now: float) -> Request:
    """The HTTP request that posts `post` to a bot; `now` is the Unix time, for signatures."""
    url = endpoint(vendor, address)
    params: dict[str, str] = {}
    if vendor == Vendor.WECOM:
        body: dict = {"msgtype": "markdown", "markdown": {"content": _markdown(post)}}
    elif vendor == Vendor.DINGTALK:
        body = {"msgtype": "markdown", "markdown": {"title": post.title, "text": _markdown(post)}}
        if secret:
            timestamp = int(now * 1000)
            params = {"timestamp": str(timestamp), "sign": dingtalk_sign(secret, timestamp)}
    elif vendor == Vendor.FEISHU:
        body = {"msg_type": "text", "content": {"text": _plain(post)}}
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    elif vendor == Vendor.SLACK:
        body = {"text": _slack(post)}
    elif vendor == Vendor.TEAMS:
        body = _teams(post)
    else:
        raise ValueError(f"unknown vendor {vendor!r}")
    return Request(url, params, body)


def _heading_and_text(post: Post, table: dict, bold: str) -> str:
    """The post's heading in bold and its text, both escaped with `table`."""
    heading = f"{bold}{post.title.translate(table)}{bold}" if post.title else ""
    text = post.text[:MAX_TEXT].translate(table)
    return f"{heading}\n{text}" if text else heading


def _markdown(post: Post) -> str:
    links = "  ".join(f"[{label}]({url})" for label, url in post.links)
    text = _heading_and_text(post, MARKDOWN_TEXT, "**")
    return f"{text}\n\n{links}" if links else text


def _plain(post: Post) -> str:
    lines = [_heading_and_text(post, FEISHU_TEXT, "")]
    lines += [f"{label}: {url}" for label, url in post.links]
    return "\n".join(lines)


def _slack(post: Post) -> str:
    text = _heading_and_text(post, SLACK_TEXT, "*")
    links = " · ".join(f"<{url}|{label}>" for label, url in post.links)
    return f"{text}\n{links}" if links else text


def _teams(post: Post) -> dict:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": _heading_and_text(post, MARKDOWN_TEXT, "**"),
                "wrap": True,
            }
        ],
        "actions": [
            {"type": "Action.OpenUrl", "title": label, "url": url} for label, url in post.links
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def read_answer(vendor: str, status: int, body: str, retry_after: str | None = None) -> Outcome:
    """What the vendor's answer (HTTP status, body, Retry-After header) means for the message."""
    if vendor in (Vendor.SLACK, Vendor.TEAMS):
        if 200 <= status < 300:
            return DELIVERED
        if status == 429:
            return Outcome(later=_seconds(retry_after, THROTTLED_FOR[vendor]))
        if status in GONE_STATUSES:
            return Outcome(broken=f"HTTP {status} {body[:200]}".strip())
        return Outcome(failed=f"HTTP {status} {body[:200]}".strip())
    if status == 429:
        return Outcome(later=_seconds(retry_after, THROTTLED_FOR[vendor]))
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return Outcome(failed=f"HTTP {status} {body[:200]}".strip())
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode")))
    text = answer.get("errmsg", answer.get("msg", answer.get("StatusMessage", "")))
    if code == 0 and 200 <= status < 300:
        return DELIVERED
    if code in RATE_LIMITED.get(vendor, ()):
        return Outcome(later=THROTTLED_FOR[vendor])
    if code in REFUSED_FOR_GOOD.get(vendor, ()):
        return Outcome(broken=f"{code} {text}"[:300])
    return Outcome(failed=f"HTTP {status}, code {code} {text}"[:300])


def _seconds(retry_after: str | None, default: float) -> float:
    try:
        return max(float(retry_after), 1.0) if retry_after else default
    except ValueError:
        return default
