package org.sparoa.backend.cuda.internal;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;

/**
 * Probes for a CUDA driver and the configured device when the bundle starts (and again when the configuration
 * changes, as DS re-activates it). Found: the {@code cuda-gpu} backend is registered. Not found: one log line says
 * why and nothing is registered, so a machine without a GPU runs the platform as before.
 */
@Component(immediate = true, configurationPid = CudaBackendComponent.PID)
@Designate(ocd = CudaBackendConfig.class)
public final class CudaBackendComponent {
    static final String PID = "org.sparoa.backend.cuda";
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackendComponent.class);

    private volatile CudaGpuBackend backend;
    private volatile ServiceRegistration<DeviceBackend> registration;

    @Activate
    void activate(BundleContext context, CudaBackendConfig config) {
        if (config.streams() < 1 || config.memoryPoolMb() < 0 || config.denseBelowSparsity() < 0
                || !java.util.Set.of("auto", "on", "off").contains(config.zeroCopy())) {
            LOG.warn("cuda-gpu not started: configuration {} needs streams >= 1, memoryPoolMb >= 0,"
                    + " denseBelowSparsity >= 0 and zeroCopy auto, on or off", PID);
            return;
        }
        CudaDrivers.Probe probe = CudaDrivers.probe(config.binding(), config.device());
        if (!probe.found()) {
            LOG.info("cuda-gpu backend not registered: {}", probe.why());
            return;
        }
        try {
            CudaGpuBackend b = new CudaGpuBackend(probe.driver(), probe.device(), config.streams(),
                    (long) config.memoryPoolMb() << 20, config.denseBelowSparsity(), config.statePollMillis(),
                    config.zeroCopy());
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(DeviceBackend.PROP_ID, CudaGpuBackend.ID);
            props.put(DeviceBackend.PROP_KIND, DeviceKind.GPU.propertyValue());
            props.put("sparoa.gpu.name", probe.device().name());
            props.put("sparoa.gpu.computeCapability", probe.device().computeCapability());
            backend = b;
            registration = context.registerService(DeviceBackend.class, b, props);
        } catch (Throwable t) { // NOPMD: a broken driver or PTX the driver refuses must not take the platform down
            LOG.warn("cuda-gpu backend not registered: the GPU was found but could not be set up: {}", t.toString());
        }
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<DeviceBackend> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        CudaGpuBackend b = backend;
        backend = null;
        if (b != null) {
            b.close();
        }
    }
}
