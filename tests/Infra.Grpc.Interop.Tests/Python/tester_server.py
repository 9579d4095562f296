"""grpcio implementation of tester.proto, mirroring Support/TesterService.cs.

Usage: tester_server.py  -> prints "PORT <n>" once listening on 127.0.0.1 (free port), runs until killed.
"""
import sys
import threading
import time
from concurrent import futures

import grpc
import tester_pb2
import tester_pb2_grpc
from google.protobuf import empty_pb2

CODES = {c.value[0]: c for c in grpc.StatusCode}
cancelled = set()
started = set()
lock = threading.Lock()


def details_bytes(message):
    return tester_pb2.EchoReply(text="details:" + message).SerializeToString()


def fail(context, request):
    context.set_trailing_metadata((
        ("x-fail", "yes"),
        ("x-fail-bin", b"\x00\x01\x02\xff"),
        ("grpc-status-details-bin", details_bytes(request.fail_message)),
    ))
    context.abort(CODES[request.fail_code], request.fail_message)


def reply(request, index):
    payload = bytes(request.reply_size) if request.reply_size > 0 else request.payload
    return tester_pb2.EchoReply(text=request.text, index=index, payload=payload)


def common(request, context, fail_now=True):
    md = dict(context.invocation_metadata())
    trailers = []
    if "x-echo" in md:
        context.send_initial_metadata((("x-echo-header", md["x-echo"]),))
        trailers.append(("x-echo-trailer", md["x-echo"]))
    if "x-bin-bin" in md:
        trailers.append(("x-bin-bin", md["x-bin-bin"]))
    if trailers:
        context.set_trailing_metadata(tuple(trailers))
    end = time.monotonic() + request.delay_ms / 1000.0
    while time.monotonic() < end and context.is_active():
        time.sleep(0.01)
    if fail_now and request.fail_code:
        fail(context, request)


class Tester(tester_pb2_grpc.TesterServicer):
    def Unary(self, request, context):
        if request.text.startswith("probe:"):
            with lock:
                key = request.text[6:]
                state = "cancelled" if key in cancelled else "started" if key in started else "pending"
            return tester_pb2.EchoReply(text=state)
        common(request, context)
        return reply(request, 0)

    def ServerStream(self, request, context):
        common(request, context, fail_now=False)
        for i in range(request.count):
            yield reply(request, i)
        if request.fail_code:
            fail(context, request)

    def ClientStream(self, request_iterator, context):
        total = count = 0
        last = None
        for r in request_iterator:
            last = r
            total += len(r.payload)
            count += 1
            if r.fail_code:
                fail(context, r)
        return tester_pb2.EchoReply(text=last.text if last else "", index=count, total_bytes=total)

    def Duplex(self, request_iterator, context):
        for i, r in enumerate(request_iterator):
            if r.fail_code:
                fail(context, r)
            yield reply(r, i)

    def Wait(self, request, context):
        key = request.text

        def on_done():
            with lock:
                cancelled.add(key)
        context.add_callback(on_done)
        with lock:
            started.add(key)
        while context.is_active():
            time.sleep(0.01)
        return tester_pb2.EchoReply()

    def Ping(self, request, context):
        return empty_pb2.Empty()

    def NestedEcho(self, request, context):
        return tester_pb2.Nested(inner=request)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
    tester_pb2_grpc.add_TesterServicer_to_server(Tester(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("PORT %d" % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
