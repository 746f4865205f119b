package org.sparoa.batching.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/** Concatenates requests along the leading dimension and splits a batch's outputs back, request by request. */
final class BatchAssembler {
    private BatchAssembler() {
    }

    /** Thrown when a model's outputs do not have one row per input row: its batch cannot be split. */
    static final class NotSplittableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotSplittableException(String message) {
            super(message);
        }
    }

    static Map<String, Tensor> concat(List<TensorInfo> inputs, List<Map<String, Tensor>> requests) {
        Map<String, Tensor> batch = new LinkedHashMap<>();
        for (TensorInfo in : inputs) {
            Tensor first = requests.get(0).get(in.name());
            long rows = 0;
            long bytes = 0;
            for (Map<String, Tensor> r : requests) {
                Tensor t = r.get(in.name());
                rows += t.shape()[0];
                bytes += t.byteSize();
            }
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
            for (Map<String, Tensor> r : requests) {
                data.put(r.get(in.name()).bytes());
            }
            data.flip();
            long[] shape = first.shape();
            shape[0] = rows;
            batch.put(in.name(), Tensor.wrap(first.type(), shape, data));
        }
        return batch;
    }

    /** The batch's result cut into one result per request, rows in request order. */
    static List<InferenceResult> split(InferenceResult batch, long[] rowsPerRequest) {
        long total = 0;
        for (long r : rowsPerRequest) {
            total += r;
        }
        List<Map<String, Tensor>> outputs = new ArrayList<>();
        for (int i = 0; i < rowsPerRequest.length; i++) {
            outputs.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : batch.outputs().entrySet()) {
            Tensor t = e.getValue();
            long[] shape = t.shape();
            if (shape.length == 0 || shape[0] != total) {
                throw new NotSplittableException("output '" + e.getKey() + "' has shape " + Shapes.format(shape)
                        + " for a batch of " + total + " rows: not one row per input row");
            }
            long rowBytes = t.byteSize() / total;
            ByteBuffer all = t.bytes();
            long offset = 0;
            for (int i = 0; i < rowsPerRequest.length; i++) {
                long n = rowsPerRequest[i];
                ByteBuffer part = all.duplicate();
                part.position(Math.toIntExact(offset)).limit(Math.toIntExact(offset + n * rowBytes));
                long[] s = shape.clone();
                s[0] = n;
                outputs.get(i).put(e.getKey(), Tensor.of(t.type(), s, part));
                offset += n * rowBytes;
            }
        }
        List<InferenceResult> results = new ArrayList<>();
        for (Map<String, Tensor> o : outputs) {
            results.add(new InferenceResult(o, batch.plan(), batch.timings(), batch.totalNanos(), Map.of()));
        }
        return results;
    }
}
