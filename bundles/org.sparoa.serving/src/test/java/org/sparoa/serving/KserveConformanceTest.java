package org.sparoa.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparoa.batching.internal.ServedClassifier.assertClose;
import static org.sparoa.batching.internal.ServedClassifier.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.batching.internal.ServedClassifier;
import org.sparoa.serving.client.KserveClient;
import org.sparoa.serving.client.KserveClient.Response;

/**
 * The request shapes that Triton's and KServe's clients send, over real loopback HTTP, each answer checked: metadata,
 * configuration, binary and JSON infer with both habits of the header, errors and limits.
 */
class KserveConformanceTest {
    private static ServingFixture fixture;
    private static KserveClient client;
    private static PlainOrtSession reference;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ServingFixture(4L << 20, 1L << 20);
        client = new KserveClient(fixture.server.uri());
        reference = PlainOrtSession.open(Files.readAllBytes(fixture.modelFile), 2);
    }

    @AfterAll
    static void stop() {
        if (reference != null) {
            reference.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String inputName() {
        return fixture.platform.models().require("cls").graph().inputs().get(0).name();
    }

    private static String error(Response r) {
        JsonObject o = r.json().getAsJsonObject();
        assertTrue(o.has("error"), "error body: " + r.text());
        return o.get("error").getAsString();
    }

    @Test
    void serverMetadataCarriesAnExtensionsArray() throws Exception {
        Response r = client.get("/v2");
        assertEquals(200, r.status());
        JsonObject o = r.json().getAsJsonObject();
        assertEquals("sparoa", o.get("name").getAsString());
        JsonArray ext = o.getAsJsonArray("extensions");
        assertNotNull(ext);
        assertTrue(ext.toString().contains("binary_tensor_data"));
        assertTrue(!ext.toString().contains("statistics"), "statistics is not offered");
        assertEquals(200, client.get("/v2/health/live").status());
        assertEquals(200, client.get("/v2/health/ready").status());
    }

    @Test
    void modelMetadataAndConfigurationDescribeTheBatchDimension() throws Exception {
        for (String path : new String[] {"/v2/models/cls", "/v2/models/cls/versions/1"}) {
            Response r = client.get(path);
            assertEquals(200, r.status(), path);
            JsonObject m = r.json().getAsJsonObject();
            assertEquals("cls", m.get("name").getAsString());
            JsonObject in = m.getAsJsonArray("inputs").get(0).getAsJsonObject();
            assertEquals("FP32", in.get("datatype").getAsString());
            assertEquals("[-1,3,-1,-1]", in.getAsJsonArray("shape").toString(), "as the model declares it");
        }
        assertEquals(200, client.get("/v2/models/cls/ready").status());
        Response c = client.get("/v2/models/cls/config");
        assertEquals(200, c.status());
        JsonObject cfg = c.json().getAsJsonObject();
        assertEquals(8, cfg.get("max_batch_size").getAsInt());
        JsonObject in = cfg.getAsJsonArray("input").get(0).getAsJsonObject();
        assertEquals("TYPE_FP32", in.get("data_type").getAsString());
        assertEquals("[3,-1,-1]", in.getAsJsonArray("dims").toString(), "the batch dimension is max_batch_size's");
        assertEquals(404, client.get("/v2/models/cls/versions/7").status());
    }

    @Test
    void binaryInferMatchesOnnxRuntime() throws Exception {
        Map<String, Tensor> in = Map.of(inputName(), image(1, 1));
        assertClose(reference.run(in), client.inferBinary("cls", in));
        Map<String, Tensor> four = Map.of(inputName(), image(4, 2));
        assertClose(reference.run(four), client.inferBinary("cls", four));
    }

    @Test
    void jsonInferWithoutContentTypeAndWithTheHeaderBothWork() throws Exception {
        Map<String, Tensor> in = Map.of(inputName(), image(1, 3));
        Map<String, Tensor> expected = reference.run(in);
        byte[] json = KserveClient.jsonBody(in).getBytes(StandardCharsets.UTF_8);
        // the Python client's habit: no Content-Type, no header
        assertClose(expected, KserveClient.outputs(client.post("/v2/models/cls/infer", Map.of(), json)));
        // perf_analyzer's habit: the header even for a JSON-only body
        assertClose(expected, KserveClient.outputs(client.post("/v2/models/cls/versions/1/infer",
                Map.of(KserveClient.HEADER_LENGTH, Integer.toString(json.length)), json)));
    }

    @Test
    void anEmptyIdIsEchoedAndBinaryOutputsCarryTheirSize() throws Exception {
        Map<String, Tensor> in = Map.of(inputName(), image(1, 4));
        KserveClient.Body body = KserveClient.binaryBody(in, true);
        Response r = client.post("/v2/models/cls/infer", Map.of(KserveClient.HEADER_LENGTH,
                Integer.toString(body.jsonLength())), body.bytes());
        assertEquals(200, r.status(), r.text());
        int jsonLength = Integer.parseInt(r.header(KserveClient.HEADER_LENGTH));
        JsonObject head = com.google.gson.JsonParser.parseString(
                new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("", head.get("id").getAsString());
        JsonObject out = head.getAsJsonArray("outputs").get(0).getAsJsonObject();
        long size = out.getAsJsonObject("parameters").get("binary_data_size").getAsLong();
        assertEquals(r.body().length - jsonLength, size);
    }

    @Test
    void aBatchLargerThanTheMaximumIsRefused() throws Exception {
        Map<String, Tensor> in = Map.of(inputName(), image(9, 5));
        KserveClient.KserveException e = org.junit.jupiter.api.Assertions.assertThrows(
                KserveClient.KserveException.class, () -> client.inferBinary("cls", in));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("max_batch_size 8"), e.getMessage());
    }

    @Test
    void unknownModelIs404WithAnErrorBody() throws Exception {
        Response r = client.post("/v2/models/nope/infer", Map.of(), "{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(404, r.status());
        assertTrue(error(r).contains("nope"), r.text());
        assertEquals(404, client.get("/v2/models/nope").status());
        assertEquals(404, client.get("/v2/models/nope/config").status());
    }

    @Test
    void aWrongDatatypeIs400NamingTheInput() throws Exception {
        Tensor doubles = Tensor.of(DataType.DOUBLE, new long[] {1, 3, 48, 192},
                ByteBuffer.allocate(8 * 3 * 48 * 192).order(ByteOrder.LITTLE_ENDIAN));
        KserveClient.Body body = KserveClient.binaryBody(Map.of(inputName(), doubles), true);
        Response r = client.post("/v2/models/cls/infer", Map.of(KserveClient.HEADER_LENGTH,
                Integer.toString(body.jsonLength())), body.bytes());
        assertEquals(400, r.status());
        assertTrue(error(r).contains("'" + inputName() + "'") && error(r).contains("float"), r.text());
    }

    @Test
    void aTruncatedBodyIs400() throws Exception {
        Map<String, Tensor> in = Map.of(inputName(), image(1, 6));
        KserveClient.Body body = KserveClient.binaryBody(in, true);
        // the JSON header cut short
        Response cut = client.post("/v2/models/cls/infer", Map.of(), Arrays.copyOf(body.bytes(), body.jsonLength() / 2));
        assertEquals(400, cut.status());
        assertTrue(error(cut).contains("malformed or truncated"), cut.text());
        // the binary data shorter than binary_data_size
        Response shortBody = client.post("/v2/models/cls/infer", Map.of(KserveClient.HEADER_LENGTH,
                Integer.toString(body.jsonLength())), Arrays.copyOf(body.bytes(), body.bytes().length - 100));
        assertEquals(400, shortBody.status());
        assertTrue(error(shortBody).contains("binary_data_size"), shortBody.text());
        // a header length past the end of the body
        Response pastEnd = client.post("/v2/models/cls/infer", Map.of(KserveClient.HEADER_LENGTH,
                Integer.toString(body.bytes().length + 1)), body.bytes());
        assertEquals(400, pastEnd.status());
    }

    @Test
    void nonFiniteInputsAreRefusedByDefault() throws Exception {
        float[] v = new float[3 * 48 * 192];
        v[17] = Float.NaN;
        Map<String, Tensor> in = Map.of(inputName(), Tensor.ofFloats(new long[] {1, 3, 48, 192}, v));
        KserveClient.KserveException e = org.junit.jupiter.api.Assertions.assertThrows(
                KserveClient.KserveException.class, () -> client.inferBinary("cls", in));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("NaN at element 17"), e.getMessage());
    }

    @Test
    void oversizedBodiesAndTensorsAreRefusedWithoutReadingThemWhole() throws Exception {
        // its own connection: the JDK's test server does not reuse a connection after a refused body
        Response big = new KserveClient(fixture.server.uri()).post("/v2/models/cls/infer", Map.of(),
                new byte[(4 << 20) + 1]);
        assertEquals(413, big.status());
        assertTrue(error(big).contains("maxRequestBytes"), big.text());
        String huge = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1000000,1000000,1000000],"
                + "\"data\":[1]}]}";
        Response r = client.post("/v2/models/cls/infer", Map.of(), huge.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.status());
        assertTrue(error(r).contains("maxTensorElements"), r.text());
    }

    @Test
    void theRepositoryExtensionListsUnloadsAndLoadsModels() throws Exception {
        Response index = client.post("/v2/repository/index", Map.of(), new byte[0]);
        assertEquals(200, index.status());
        assertTrue(index.text().contains("{\"name\":\"cls\",\"version\":\"1\",\"state\":\"READY\"}"), index.text());
        String name = ServedClassifier.CLS_FILE.replace(".onnx", "");
        assertTrue(index.text().contains("\"name\":\"" + name + "\""), "repository files are listed: " + index.text());
        assertEquals(200, client.post("/v2/repository/models/" + name + "/load", Map.of(), new byte[0]).status());
        assertEquals(200, client.get("/v2/models/" + name + "/ready").status());
        assertEquals(200, client.post("/v2/repository/models/" + name + "/unload", Map.of(), new byte[0]).status());
        assertEquals(404, client.get("/v2/models/" + name).status());
        assertEquals(404, client.post("/v2/repository/models/absent/load", Map.of(), new byte[0]).status());
        assertEquals(400, client.post("/v2/repository/models/%2E%2E/load", Map.of(), new byte[0]).status());
    }
}
