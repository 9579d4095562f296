"""Lists a server's services over gRPC server reflection (v1) with grpcio, as grpcurl would.
usage: list_services.py STUB_DIR HOST:PORT TOKEN  -> one service name per line."""
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
from reflection.v1 import reflection_pb2, reflection_pb2_grpc  # noqa: E402

channel = grpc.insecure_channel(sys.argv[2])
stub = reflection_pb2_grpc.ServerReflectionStub(channel)
request = reflection_pb2.ServerReflectionRequest(list_services="")
replies = stub.ServerReflectionInfo(iter([request]), timeout=30, metadata=[("authorization", "Bearer " + sys.argv[3])])
for reply in replies:
    for service in reply.list_services_response.service:
        print(service.name)
