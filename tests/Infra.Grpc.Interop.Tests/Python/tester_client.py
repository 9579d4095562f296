"""grpcio client scenarios against a tester.proto server.

Usage: tester_client.py ADDRESS SCENARIO -> prints one JSON object with what it observed; the C# test
asserts on it. Exit code 0 unless the scenario itself crashed.
"""
import json
import os
import sys
import time

import grpc
import tester_pb2
import tester_pb2_grpc
from google.protobuf import empty_pb2
from health.v1 import health_pb2, health_pb2_grpc

TIMEOUT = 30


def err(e):
    md = dict(e.trailing_metadata() or ())
    return {
        "code": e.code().name,
        "details": e.details(),
        "x_fail": md.get("x-fail"),
        "x_fail_bin": md["x-fail-bin"].hex() if "x-fail-bin" in md else None,
        "status_details": md["grpc-status-details-bin"].hex() if "grpc-status-details-bin" in md else None,
    }


def open_channel(address):
    # TESTER_TLS_ROOT: PEM of the server's self-signed certificate -> TLS with ALPN h2.
    root = os.environ.get("TESTER_TLS_ROOT")
    if not root:
        return grpc.insecure_channel(address)
    with open(root, "rb") as f:
        return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=f.read()))


def run(address, scenario):
    channel = open_channel(address)
    stub = tester_pb2_grpc.TesterStub(channel)
    if scenario == "unary":
        r = stub.Unary(tester_pb2.EchoRequest(text="hello", payload=b"abc"), timeout=TIMEOUT)
        return {"text": r.text, "payload": r.payload.decode()}
    if scenario == "ping":
        stub.Ping(empty_pb2.Empty(), timeout=TIMEOUT)
        return {"ok": True}
    if scenario == "metadata":
        r, call = stub.Unary.with_call(tester_pb2.EchoRequest(text="md"), timeout=TIMEOUT,
                                       metadata=(("x-echo", "value-1"), ("x-bin-bin", b"\x00\xc8\x07")))
        initial = dict(call.initial_metadata())
        trailing = dict(call.trailing_metadata())
        return {"text": r.text, "header": initial.get("x-echo-header"), "trailer": trailing.get("x-echo-trailer"),
                "bin": trailing["x-bin-bin"].hex() if "x-bin-bin" in trailing else None}
    if scenario == "error":
        try:
            stub.Unary(tester_pb2.EchoRequest(fail_code=9, fail_message="bad precondition: 100% \u00fc\nsecond line"), timeout=TIMEOUT)
            return {"code": "OK"}
        except grpc.RpcError as e:
            return err(e)
    if scenario == "server_stream":
        indexes = [r.index for r in stub.ServerStream(tester_pb2.EchoRequest(count=10000), timeout=TIMEOUT)]
        return {"count": len(indexes), "ordered": indexes == list(range(10000))}
    if scenario == "server_stream_fail":
        got = 0
        try:
            for _ in stub.ServerStream(tester_pb2.EchoRequest(count=3, fail_code=10, fail_message="stop"), timeout=TIMEOUT):
                got += 1
            return {"count": got, "code": "OK"}
        except grpc.RpcError as e:
            return dict(err(e), count=got)
    if scenario == "client_stream":
        r = stub.ClientStream((tester_pb2.EchoRequest(text="c", payload=bytes(10)) for _ in range(10000)), timeout=TIMEOUT)
        return {"count": r.index, "total": r.total_bytes}
    if scenario == "duplex":
        texts = [r.text for r in stub.Duplex((tester_pb2.EchoRequest(text="d%d" % i) for i in range(10000)), timeout=TIMEOUT)]
        return {"count": len(texts), "ordered": texts == ["d%d" % i for i in range(10000)]}
    if scenario == "large":
        payload = bytes(range(256)) * (3 * 1024 * 4)  # 3 MB
        r = stub.Unary(tester_pb2.EchoRequest(payload=payload), timeout=TIMEOUT)
        return {"size": len(r.payload), "equal": r.payload == payload}
    if scenario == "too_large":
        try:
            stub.Unary(tester_pb2.EchoRequest(payload=bytes(17 * 1024 * 1024)), timeout=TIMEOUT)  # past the controller's 16 MB limit
            return {"code": "OK"}
        except grpc.RpcError as e:
            return err(e)
    if scenario == "deadline":
        start = time.monotonic()
        try:
            stub.Unary(tester_pb2.EchoRequest(delay_ms=20000), timeout=0.3)
            return {"code": "OK"}
        except grpc.RpcError as e:
            return dict(err(e), seconds=time.monotonic() - start)
    if scenario == "cancel":
        future = stub.Wait.future(tester_pb2.EchoRequest(text="pycancel"), timeout=TIMEOUT)
        # Cancel only once the server runs the call: cancelled before it arrives (a loaded machine took
        # longer than a fixed 0.5 s), the server never sees it and its token has nothing to fire for.
        for _ in range(200):
            if stub.Unary(tester_pb2.EchoRequest(text="probe:pycancel"), timeout=TIMEOUT).text != "pending":
                break
            time.sleep(0.05)
        future.cancel()
        state = "pending"
        for _ in range(100):
            state = stub.Unary(tester_pb2.EchoRequest(text="probe:pycancel"), timeout=TIMEOUT).text
            if state == "cancelled":
                break
            time.sleep(0.05)
        return {"state": state, "future_cancelled": future.cancelled()}
    if scenario == "unimplemented":
        bogus = channel.unary_unary("/infra.grpctest.v1.Tester/NoSuchMethod")
        out = {}
        try:
            bogus(b"", timeout=TIMEOUT)
        except grpc.RpcError as e:
            out["method"] = e.code().name
        try:
            channel.unary_unary("/no.such.Service/Foo")(b"", timeout=TIMEOUT)
        except grpc.RpcError as e:
            out["service"] = e.code().name
        return out
    if scenario == "health_check":
        h = health_pb2_grpc.HealthStub(channel)
        out = {"server": health_pb2.HealthCheckResponse.ServingStatus.Name(h.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT).status)}
        try:
            h.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=TIMEOUT)
        except grpc.RpcError as e:
            out["unknown"] = e.code().name
        return out
    if scenario == "health_watch":
        # Prints the first status as its own line so the test can then change the status.
        h = health_pb2_grpc.HealthStub(channel)
        stream = h.Watch(health_pb2.HealthCheckRequest(service="watched"), timeout=TIMEOUT)
        seen = []
        for r in stream:
            seen.append(health_pb2.HealthCheckResponse.ServingStatus.Name(r.status))
            if len(seen) == 1:
                print("FIRST " + seen[0], flush=True)
            if len(seen) == 3:
                stream.cancel()
                break
        return {"seen": seen}
    if scenario in ("reflection_v1", "reflection_v1alpha"):
        import reflection_check
        return reflection_check.run(channel, scenario.split("_")[1])
    raise SystemExit("unknown scenario " + scenario)


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])), flush=True)
