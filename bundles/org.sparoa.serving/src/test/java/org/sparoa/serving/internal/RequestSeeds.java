package org.sparoa.serving.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.DataType;
import org.sparoa.api.Model;
import org.sparoa.api.Tensor;
import org.sparoa.api.RandomInputs;
import org.sparoa.batching.internal.ServedClassifier;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.serving.client.KserveClient;

/**
 * The seed corpus: infer requests as the protocol's clients send them, made at test time by our own client code
 * ({@link KserveClient}) from real inputs of the PP-OCR classifier, and small requests of every datatype, in JSON
 * (flat and nested data), with the binary tensor extension, with and without {@code Inference-Header-Content-Length},
 * with outputs asked in JSON or binary.
 */
final class RequestSeeds {
    static final String MODEL = "cls";
    static final String CLS_FILE = ServedClassifier.CLS_FILE;
    static final String INFER = "/models/" + MODEL + "/infer";
    private static List<FuzzedRequest> all;

    private RequestSeeds() {
    }

    static Path clsFile() {
        return Path.of(System.getProperty("sparoa.models", "target/models"), CLS_FILE);
    }

    /** The classifier's real input: one 48x192 image of random pixels. */
    static Map<String, Tensor> clsInputs(long seed) throws Exception {
        Path file = clsFile();
        Model m = OnnxModels.fromBytes(MODEL, Files.readAllBytes(file), file);
        return RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), seed);
    }

    static synchronized List<FuzzedRequest> all() {
        if (all == null) {
            try {
                all = List.copyOf(make());
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the seed requests: " + e, e);
            }
        }
        return all;
    }

    private static List<FuzzedRequest> make() throws Exception {
        List<FuzzedRequest> seeds = new ArrayList<>();
        Map<String, Tensor> cls = clsInputs(1);
        KserveClient.Body binary = KserveClient.binaryBody(cls, true);
        seeds.add(new FuzzedRequest("POST", INFER, Integer.toString(binary.jsonLength()), binary.bytes()));
        KserveClient.Body binaryJsonOut = KserveClient.binaryBody(clsInputs(2), false);
        seeds.add(new FuzzedRequest("POST", "/models/cls/versions/1/infer",
                Integer.toString(binaryJsonOut.jsonLength()), binaryJsonOut.bytes()));
        byte[] json = KserveClient.jsonBody(cls).getBytes(StandardCharsets.UTF_8);
        // perf_analyzer sends the header on JSON bodies too
        seeds.add(new FuzzedRequest("POST", INFER, Integer.toString(json.length), json));
        Map<String, Tensor> narrow = RandomInputs.forModel(OnnxModels.fromBytes(MODEL, Files.readAllBytes(clsFile()),
                clsFile()), Map.of("x", new long[] {1, 3, 2, 4}), 4);
        seeds.add(new FuzzedRequest("POST", INFER, null, KserveClient.jsonBody(narrow).getBytes(StandardCharsets.UTF_8)));

        Map<String, Tensor> small = new LinkedHashMap<>();
        small.put("f32", Tensor.ofFloats(new long[] {2, 3}, new float[] {0.5f, -1f, 3.25f, 0f, 1e-3f, 7f}));
        small.put("i64", Tensor.ofLongs(new long[] {3}, new long[] {-1, 0, Long.MAX_VALUE}));
        small.put("i32", Tensor.ofInts(new long[] {2, 2}, new int[] {1, 2, 3, -4}));
        small.put("b", Tensor.wrap(DataType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 1})));
        seeds.add(new FuzzedRequest("POST", INFER, null, KserveClient.jsonBody(small).getBytes(StandardCharsets.UTF_8)));
        KserveClient.Body smallBinary = KserveClient.binaryBody(small, false);
        seeds.add(new FuzzedRequest("POST", INFER, Integer.toString(smallBinary.jsonLength()), smallBinary.bytes()));

        Map<String, Tensor> halves = new LinkedHashMap<>();
        halves.put("h", Tensor.wrap(DataType.FLOAT16, new long[] {2}, le(new byte[] {0, 0x3c, 0, (byte) 0xc0})));
        halves.put("bf", Tensor.wrap(DataType.BFLOAT16, new long[] {2}, le(new byte[] {(byte) 0x80, 0x3f, 0, 0})));
        halves.put("u8", Tensor.wrap(DataType.UINT8, new long[] {2, 1}, le(new byte[] {(byte) 255, 7})));
        KserveClient.Body halvesBody = KserveClient.binaryBody(halves, true);
        seeds.add(new FuzzedRequest("POST", INFER, Integer.toString(halvesBody.jsonLength()), halvesBody.bytes()));

        // hand-written: nested data, every JSON datatype, an id, outputs asked in JSON and binary
        String nested = "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2,2],"
                + "\"data\":[[[1.0,2.0],[3.0,4.0]],[[5.5,-6.0],[0.0,1e-7]]]},"
                + "{\"name\":\"d\",\"datatype\":\"FP64\",\"shape\":[1],\"data\":[2.5]},"
                + "{\"name\":\"u\",\"datatype\":\"UINT64\",\"shape\":[2],\"data\":[0,18446744073709551615]},"
                + "{\"name\":\"s\",\"datatype\":\"INT16\",\"shape\":[2],\"data\":[-32768,32767]},"
                + "{\"name\":\"t\",\"datatype\":\"INT8\",\"shape\":[1,1],\"data\":[[-128]]},"
                + "{\"name\":\"w\",\"datatype\":\"UINT16\",\"shape\":[1],\"data\":[65535]},"
                + "{\"name\":\"v\",\"datatype\":\"UINT32\",\"shape\":[1],\"data\":[4294967295]},"
                + "{\"name\":\"z\",\"datatype\":\"FP32\",\"shape\":[0,3],\"data\":[]}],"
                + "\"outputs\":[{\"name\":\"save_infer_model/scale_0.tmp_1\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"other\"}],\"parameters\":{\"binary_data_output\":false}}";
        seeds.add(new FuzzedRequest("POST", INFER, null, nested.getBytes(StandardCharsets.UTF_8)));
        return seeds;
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
