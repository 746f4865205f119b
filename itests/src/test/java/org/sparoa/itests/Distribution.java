package org.sparoa.itests;

import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.service.cm.ConfigurationAdmin;

/** The built distribution as Pax Exam boots it for every test class, and waiting on a condition inside it. */
final class Distribution {
    static final long TIMEOUT_MS = 120_000;

    private Distribution() {
    }

    /**
     * The distribution on free ports, using this build's local Maven repository, plus {@code extra}. Pax Exam deletes
     * each instance's folder under {@code target/exam} when its test class ends (an instance that predicted holds
     * ND4J's bundle and extracted natives, over a GB); {@code -Dsparoa.exam.keep=true} keeps them for debugging.
     */
    static Option[] options(Option... extra) throws IOException {
        String version = System.getProperty("sparoa.version", "0.1.0-SNAPSHOT");
        String localRepo = System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository");
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.sparoa", "sparoa-karaf-distribution").type("tar.gz").version(version))
                        .unpackDirectory(new File(System.getProperty("sparoa.exam.dir", "target/exam")))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.WARN),
                // as bin/setenv does for the distribution: the sparse-cpu SIMD kernels need the Vector API module
                vmOption("--add-modules=jdk.incubator.vector"),
                // free ports, so that a distribution already running on this machine does not get in the way
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", freePort()),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", freePort()),
                editConfigurationFilePut("etc/org.sparoa.serving.grpc.cfg", "port", freePort()),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        localRepo),
                editConfigurationFilePut("etc/system.properties", "sparoa.itest.version", version)));
        if (Boolean.getBoolean("sparoa.exam.keep")) {
            options.add(keepRuntimeFolder());
        }
        options.addAll(Arrays.asList(extra));
        return options.toArray(Option[]::new);
    }

    /** Polls {@code condition} until it holds; fails after {@link #TIMEOUT_MS}. */
    static void waitFor(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!Boolean.TRUE.equals(condition.call())) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out after " + TIMEOUT_MS + " ms waiting for " + what);
            }
            Thread.sleep(100); // poll interval; the wait itself ends on the condition
        }
    }

    /** The HTTP port the distribution was given (Pax Web's configuration). */
    /**
     * Runs a shell command as an admin and returns what it printed; a failing command throws. Waits first for the
     * command to be registered: Karaf's shell extender registers a bundle's commands once all their references are
     * satisfied, after the bundle is active.
     */
    static String execute(SessionFactory sessionFactory, String command) throws Exception {
        String name = command.split(" ", 2)[0];
        String[] scoped = name.split(":", 2);
        waitFor("the command " + name, () -> sessionFactory.getRegistry().getCommand(scoped[0], scoped[1]) != null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, out, out);
        Subject subject = new Subject();
        for (String role : new String[] {"admin", "manager", "viewer", "systembundles"}) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        try {
            Subject.doAs(subject, (PrivilegedExceptionAction<Object>) () -> session.execute(command));
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        } finally {
            out.flush();
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static String httpPort(ConfigurationAdmin configAdmin) {
        try {
            org.osgi.service.cm.Configuration[] cs = configAdmin.listConfigurations("(service.pid=org.ops4j.pax.web)");
            return String.valueOf(cs[0].getProperties().get("org.osgi.service.http.port"));
        } catch (Exception e) {
            throw new IllegalStateException("no Pax Web configuration", e);
        }
    }

    private static String freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return Integer.toString(socket.getLocalPort());
        }
    }
}
