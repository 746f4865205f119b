package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.policy.partition.internal.PartitionPolicy;

/**
 * While clients send requests continuously, backends arrive and leave and policies are replaced: no request
 * fails or is lost, every output equals the reference, and a newly arrived backend or policy serves the next
 * scheduled request.
 */
class HotSwapUnderLoadTest {

    @Test
    void backendsAndPoliciesComeAndGoWhileRequestsKeepSucceeding() throws Exception {
        OrtCpuBackend base = new OrtCpuBackend("ort-cpu", 1, 1);
        try (LocalPlatform platform = LocalPlatform.of(base)) {
            platform.addPolicy(new PartitionPolicy());
            Model model = platform.models().load("cls", TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 11);
            Map<String, Tensor> expected = platform.inference().infer("cls", inputs, RunOptions.defaults()).outputs();
            RunOptions split = RunOptions.withPolicy("partition", Map.of("segments", "3"));

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger completed = new AtomicInteger();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Set<String> backendsSeen = ConcurrentHashMap.newKeySet();
            CountDownLatch clientsDone = new CountDownLatch(2);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                boolean async = c == 1;
                Thread t = new Thread(() -> {
                    try {
                        while (running.get()) {
                            try {
                                InferenceResult r = async
                                        ? platform.inference().inferAsync("cls", inputs, split).get(60, TimeUnit.SECONDS)
                                        : platform.inference().infer("cls", inputs, split);
                                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                                    double diff = OrtReference.maxAbsDiff(e.getValue(), r.outputs().get(e.getKey()));
                                    if (diff > 1e-5) {
                                        failures.add(new AssertionError(e.getKey() + " differs from the reference by "
                                                + diff + " on " + r.plan().segments()));
                                    }
                                }
                                r.plan().segments().stream().map(SegmentPlan::backendId).forEach(backendsSeen::add);
                                completed.incrementAndGet();
                            } catch (Exception | AssertionError e) {
                                failures.add(e);
                            }
                        }
                    } finally {
                        clientsDone.countDown();
                    }
                }, "client-" + c);
                clients.add(t);
                t.start();
            }

            for (int round = 0; round < 4; round++) {
                OrtCpuBackend extra = new OrtCpuBackend("ort-cpu-extra", 1, 1);
                platform.addBackend(extra, 0);
                awaitCondition(() -> backendsSeen.contains("ort-cpu-extra"), "the new backend serves requests");
                int before = completed.get();
                PartitionPolicy replacement = new PartitionPolicy(); // a new instance: a new version of the policy
                platform.addPolicy(replacement);
                awaitCondition(() -> completed.get() >= before + 3, "requests keep completing after a policy update");
                platform.removeBackend(extra);
                backendsSeen.clear();
                int afterRemoval = completed.get();
                awaitCondition(() -> completed.get() >= afterRemoval + 3, "requests keep completing after removal");
                extra.close();
            }
            running.set(false);
            assertTrue(clientsDone.await(120, TimeUnit.SECONDS), "clients finished");
            assertEquals(List.of(), failures, "no request failed");
            assertTrue(completed.get() > 20, "requests completed: " + completed.get());
        } finally {
            base.close();
        }
    }

    /** Polls an observable condition with a deadline; it never sleeps in place of a condition. */
    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
