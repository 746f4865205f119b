package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.sparoa.api.DeviceBackend;

/**
 * The {@code sparoa-backend-cuda} feature installed into the running distribution: the bundle starts, its component
 * activates (it probed for a driver), and a {@code cuda-gpu} backend is registered exactly where the machine has
 * an NVIDIA GPU; on a machine without one (CI) nothing is registered and the platform keeps serving.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CudaBackendFeatureTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

    private static final String COMPONENT = "org.sparoa.backend.cuda.internal.CudaBackendComponent";

    @Inject
    private BundleContext context;

    @Inject
    private FeaturesService features;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() throws IOException {
        return Distribution.options();
    }

    @Test
    public void featureInstallsCleanlyAndRegistersCudaGpuOnlyWhereThereIsAGpu() throws Exception {
        Distribution.waitFor("the ort-cpu backend", () -> registered("ort-cpu"));
        StoppedBundles stopped = StoppedBundles.listen(context);
        features.installFeature("sparoa-backend-cuda", EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        assertTrue(features.isInstalled(features.getFeature("sparoa-backend-cuda")));
        Bundle cuda = bundle("org.sparoa.backend.cuda");
        assertNotNull("the cuda bundle is installed", cuda);
        Distribution.waitFor("the cuda bundle active", () -> cuda.getState() == Bundle.ACTIVE);
        Distribution.waitFor("the cuda component activated (it has probed for a driver)", () -> {
            ComponentDescriptionDTO d = scr.getComponentDescriptionDTO(cuda, COMPONENT);
            return d != null && scr.getComponentConfigurationDTOs(d).stream()
                    .anyMatch(c -> c.state == ComponentConfigurationDTO.ACTIVE);
        });
        boolean gpu = Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/dev/nvhost-ctrl-gpu"));
        if (gpu) {
            Distribution.waitFor("cuda-gpu registered on this GPU machine", () -> registered("cuda-gpu"));
        } else {
            assertEquals("no GPU here: nothing registered", false, registered("cuda-gpu"));
        }
        assertTrue("ort-cpu still serves", registered("ort-cpu"));
        stopped.close();
        assertTrue("installing the feature stopped (refreshed) no bundle: " + stopped.names(),
                stopped.names().isEmpty());
        Distribution.waitFor("every bundle active", () -> Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders().get("Fragment-Host") == null)
                .allMatch(b -> b.getState() == Bundle.ACTIVE));
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private boolean registered(String id) throws Exception {
        return !context.getServiceReferences(DeviceBackend.class, "(" + DeviceBackend.PROP_ID + "=" + id + ")").isEmpty();
    }
}
