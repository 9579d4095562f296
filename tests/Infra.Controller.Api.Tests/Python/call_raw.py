"""Calls one unary method with an empty request and a bearer token, as a foreign (grpcio) client would.
usage: call_raw.py HOST:PORT TOKEN /package.Service/Method
prints "OK <response bytes, hex>" or "ERR <status code name> <details>"."""
import sys

import grpc

channel = grpc.insecure_channel(sys.argv[1])
call = channel.unary_unary(sys.argv[3], request_serializer=None, response_deserializer=None)
try:
    reply = call(b"", timeout=30, metadata=[("authorization", "Bearer " + sys.argv[2])])
    print("OK " + reply.hex())
except grpc.RpcError as e:
    print("ERR " + e.code().name + " " + (e.details() or ""))
