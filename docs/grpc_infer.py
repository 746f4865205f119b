#!/usr/bin/env python3
"""A KServe v2 / Triton gRPC client of SparOA without grpcurl: metadata, then one inference on a made-up input.

Stubs from the endpoint's own .proto files (needs grpcio and grpcio-tools; on Debian python3-grpcio and
python3-grpc-tools):
  python3 -m grpc_tools.protoc -I bundles/org.sparoa.serving.grpc/src/main/protobuf \
      --python_out=DIR --grpc_python_out=DIR grpc_service.proto model_config.proto
  PYTHONPATH=DIR python3 docs/grpc_infer.py --target 127.0.0.1:8001 --model cls
"""
import argparse
import array
import math
import sys

import grpc

import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as rpc


def main():
    try:
        run()
    except grpc.RpcError as e:
        sys.exit("%s: %s" % (e.code().name, e.details()))


def run():
    p = argparse.ArgumentParser()
    p.add_argument("--target", default="127.0.0.1:8001")
    p.add_argument("--model", required=True)
    a = p.parse_args()
    stub = rpc.GRPCInferenceServiceStub(grpc.insecure_channel(a.target))
    server = stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=30)
    print("server:", server.name, server.version, list(server.extensions))
    meta = stub.ModelMetadata(pb.ModelMetadataRequest(name=a.model), timeout=30)
    request = pb.ModelInferRequest(model_name=a.model, id="python-1")
    for t in meta.inputs:
        if t.datatype != "FP32":
            sys.exit("this example fills FP32 inputs only; %s is %s" % (t.name, t.datatype))
        shape = [1 if d < 0 else d for d in t.shape]
        count = math.prod(shape)
        tensor = request.inputs.add(name=t.name, datatype="FP32", shape=shape)
        values = array.array("f", (math.sin(k * 0.01) for k in range(count)))
        if sys.byteorder != "little":
            values.byteswap()
        request.raw_input_contents.append(values.tobytes())
        print("input", tensor.name, shape)
    response = stub.ModelInfer(request, timeout=30)
    for out, raw in zip(response.outputs, response.raw_output_contents):
        values = array.array("f")
        values.frombytes(raw)
        if sys.byteorder != "little":
            values.byteswap()
        print("output", out.name, list(out.shape), "first", [round(v, 6) for v in values[:8]])


if __name__ == "__main__":
    main()
