"""grpcio (asyncio API) load against a tester.proto server, as the reference client.

Usage: bench_client.py ADDRESS unary CONCURRENCY SECONDS | stream COUNT
Prints one JSON object: {"rate": ..., "p50_us": ..., "p99_us": ..., "p999_us": ..., "max_us": ...}.
"""
import asyncio
import json
import sys
import time

import grpc
import tester_pb2
import tester_pb2_grpc


async def unary(address, concurrency, seconds):
    async with grpc.aio.insecure_channel(address) as channel:
        stub = tester_pb2_grpc.TesterStub(channel)
        req = tester_pb2.EchoRequest(text="x")

        async def worker(until, lat):
            while time.perf_counter() < until:
                t = time.perf_counter()
                await stub.Unary(req, timeout=30)
                if lat is not None:
                    lat.append(time.perf_counter() - t)

        warm = time.perf_counter() + 0.5
        await asyncio.gather(*(worker(warm, None) for _ in range(concurrency)))
        lat = []
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(worker(until, lat) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        lat.sort()
        return {"rate": len(lat) / elapsed, "p50_us": lat[len(lat) // 2] * 1e6, "p99_us": lat[int(len(lat) * 0.99)] * 1e6,
                "p999_us": lat[int(len(lat) * 0.999)] * 1e6, "max_us": lat[-1] * 1e6}


async def stream(address, count):
    async with grpc.aio.insecure_channel(address) as channel:
        stub = tester_pb2_grpc.TesterStub(channel)
        start = time.perf_counter()
        n = 0
        async for _ in stub.ServerStream(tester_pb2.EchoRequest(count=count), timeout=60):
            n += 1
        return {"rate": n / (time.perf_counter() - start)}


if __name__ == "__main__":
    address, mode = sys.argv[1], sys.argv[2]
    if mode == "unary":
        result = asyncio.run(unary(address, int(sys.argv[3]), float(sys.argv[4])))
    else:
        result = asyncio.run(stream(address, int(sys.argv[3])))
    print(json.dumps(result), flush=True)
