"""What grpcurl does: list services over server reflection, fetch the file that declares a service with
its dependencies, and rebuild the descriptors in a fresh pool to find the methods."""
import importlib

from google.protobuf import descriptor_pb2, descriptor_pool


def run(channel, version):
    pb2 = importlib.import_module("reflection.%s.reflection_pb2" % version)
    grpc_mod = importlib.import_module("reflection.%s.reflection_pb2_grpc" % version)
    stub = grpc_mod.ServerReflectionStub(channel)
    requests = [
        pb2.ServerReflectionRequest(list_services=""),
        pb2.ServerReflectionRequest(file_containing_symbol="infra.grpctest.v1.Tester"),
        pb2.ServerReflectionRequest(file_by_filename="tester.proto"),
        pb2.ServerReflectionRequest(file_containing_symbol="infra.grpctest.v1.Nested.Inner"),
        pb2.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
    ]
    responses = list(stub.ServerReflectionInfo(iter(requests), timeout=30))
    services = [s.name for s in responses[0].list_services_response.service]

    files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in responses[1].file_descriptor_response.file_descriptor_proto]
    pool = descriptor_pool.DescriptorPool()
    for f in reversed(files):  # dependencies come after the file that needs them
        pool.Add(f)
    service = pool.FindServiceByName("infra.grpctest.v1.Tester")
    by_name = [descriptor_pb2.FileDescriptorProto.FromString(b).name for b in responses[2].file_descriptor_response.file_descriptor_proto]
    nested = [descriptor_pb2.FileDescriptorProto.FromString(b).name for b in responses[3].file_descriptor_response.file_descriptor_proto]
    return {
        "services": services,
        "files": [f.name for f in files],
        "methods": [m.name for m in service.methods],
        "by_filename": by_name,
        "nested": nested,
        "missing_error": responses[4].error_response.error_code,
    }
