"""A minimal agent on Python grpcio: Hello, read Welcome and the first desired state, Ack it,
send one heartbeat, half-close, and print one JSON line describing what it got."""
import json
import queue
import sys

import grpc
from google.protobuf import json_format
from infra.v1 import hosts_pb2, southbound_pb2, southbound_pb2_grpc


def main():
    address, host_id, tunnel_ip = sys.argv[1], sys.argv[2], sys.argv[3]
    outbox = queue.Queue()

    def requests():
        while True:
            m = outbox.get()
            if m is None:
                return
            yield m

    inv = hosts_pb2.HostInventory(cores=8, mhz_per_core=2400, memory_mib=32768, tunnel_ip=tunnel_ip,
                                  kvm_available=True, arch="x86_64", hostname=host_id)
    outbox.put(southbound_pb2.AgentMessage(hello=southbound_pb2.Hello(host_id=host_id, inventory=inv)))
    with grpc.insecure_channel(address) as channel:
        stub = southbound_pb2_grpc.AgentSessionStub(channel)
        responses = stub.Connect(requests(), timeout=30)
        welcome = next(responses).welcome
        desired = next(responses).desired
        outbox.put(southbound_pb2.AgentMessage(ack=southbound_pb2.Ack(version=desired.version)))
        outbox.put(southbound_pb2.AgentMessage(heartbeat=southbound_pb2.Heartbeat(applied_version=desired.version)))
        outbox.put(None)
        rest = sum(1 for _ in responses)
        print(json.dumps({
            "welcome": json_format.MessageToDict(welcome),
            "version": desired.version,
            "full": desired.full,
            "vms": [r.vm.id for r in desired.upserts if r.WhichOneof("kind") == "vm"],
            "ports": {r.port.id: r.port.ofport for r in desired.upserts if r.WhichOneof("kind") == "port"},
            "flow_groups": len([r for r in desired.upserts if r.WhichOneof("kind") == "flow_group"]),
            "after": rest,
            "code": responses.code().name,
        }), flush=True)


if __name__ == "__main__":
    main()
