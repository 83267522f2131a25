#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for the llm plugin's tests (stdlib only).

Binds 127.0.0.1 on a free port and prints the port as its first stdout line.
POST /v1/chat/completions answers like llama.cpp / OpenAI, streamed (SSE, in chunked
transfer encoding, with small delays between deltas) or not, as the request asks.

Options:
  --key K        require "Authorization: Bearer K" (401 in the OpenAI error shape otherwise;
                 the message quotes the key it got, so clients must redact it)
  --log FILE     append one JSON line per request: {"path", "authorization", "body"}
  --lifetime S   exit after S seconds whatever happens (default 300), so a crashed test
                 never leaves it behind

The last user message selects a behaviour:
  echo:TEXT      the answer is TEXT
  error500       500 {"error": {"message": "...", "type": "server_error"}}
  error400       400 {"error": {"message": "...", "type": "invalid_request_error"}}
  malformed      an invalid JSON body (non-streamed) or an invalid JSON event (streamed)
  truncated      (streamed) some deltas, then the connection closes without finish/[DONE]
  midstream-error (streamed) a delta, then an event {"error": {...}}
  slow           sleeps 30 s before answering
  long           (streamed) 200 deltas "tick N " 50 ms apart (about 10 s)
  anything else  "Hello from the fake server."
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()


def words(text):
    # Several deltas per answer, each keeping its trailing spaces, so joining gives TEXT back.
    parts = re.findall(r"\S+\s*|\s+", text)
    return parts or [""]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the test output clean
        pass

    def send_json(self, status, obj_or_text):
        body = obj_or_text if isinstance(obj_or_text, bytes) else json.dumps(obj_or_text).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

    def chunk(self, data):
        raw = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
        self.wfile.flush()

    def event(self, obj_or_text):
        text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
        self.chunk("data: " + text + "\n\n")

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        auth = self.headers.get("Authorization")
        if ARGS.log:
            with LOG_LOCK, open(ARGS.log, "a") as f:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                f.write(json.dumps({"path": self.path, "authorization": auth, "body": body}) + "\n")

        if self.path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no route " + self.path, "type": "not_found"}})
        if ARGS.key is not None and auth != "Bearer " + ARGS.key:
            got = (auth or "").replace("Bearer ", "")
            return self.send_json(401, {"error": {"message": "Incorrect API key provided: " + got,
                                                  "type": "invalid_request_error", "code": "invalid_api_key"}})
        try:
            req = json.loads(raw)
            prompt = [m for m in req["messages"] if m["role"] == "user"][-1]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return self.send_json(400, {"error": {"message": "bad request body", "type": "invalid_request_error"}})
        model = req.get("model") or "fake-model"
        stream = bool(req.get("stream"))

        if prompt == "error500":
            return self.send_json(500, {"error": {"message": "the fake model crashed", "type": "server_error"}})
        if prompt == "error400":
            return self.send_json(400, {"error": {"message": "max_tokens is too large", "type": "invalid_request_error"}})
        if prompt == "slow":
            time.sleep(30)
        if prompt == "malformed":
            if not stream:
                return self.send_json(200, b'{"choices": [ {"message": ')
            self.start_stream()
            self.event("{this is not json")
            self.event("[DONE]")
            return self.end_stream()

        if prompt.startswith("echo:"):
            content = prompt[len("echo:"):]
        elif prompt == "long":
            content = "".join("tick %d " % i for i in range(200))
        else:
            content = "Hello from the fake server."
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(words(content)),
                 "total_tokens": len(prompt.split()) + len(words(content))}
        created = int(time.time())

        if not stream:
            return self.send_json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": created, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": usage})

        def chunk_obj(delta, finish=None):
            return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        self.start_stream()
        try:
            self.chunk(": keep-alive comment, ignored by clients\n\n")
            self.event(chunk_obj({"role": "assistant", "content": ""}))
            delay = 0.05 if prompt == "long" else 0.02
            for i, piece in enumerate(words(content)):
                time.sleep(delay)
                self.event(chunk_obj({"content": piece}))
                if prompt == "truncated" and i == 1:
                    return  # closes without the terminating chunk: a dropped connection
                if prompt == "midstream-error":
                    self.event({"error": {"message": "the fake model ran out of memory", "type": "server_error"}})
                    return self.end_stream()
            self.event(chunk_obj({}, "stop"))
            self.event({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                        "model": model, "choices": [], "usage": usage})
            self.event("[DONE]")
            self.end_stream()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (cancelled): fine


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--key")
    parser.add_argument("--log")
    parser.add_argument("--lifetime", type=float, default=300)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
