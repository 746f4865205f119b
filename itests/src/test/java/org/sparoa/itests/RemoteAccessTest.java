package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Remote access stays closed in a fresh distribution: SSH, the JMX RMI registry and server, and the HTTP endpoint
 * listen on 127.0.0.1 only (a connection to any other address of the machine is refused), no user exists (neither a
 * password user nor a key user), and a login with a wrong password is refused while the right one is accepted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RemoteAccessTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        return Distribution.options();
    }

    @Test
    public void sshAndJmxListenOnLoopbackOnly() throws Exception {
        int ssh = port("org.apache.karaf.shell", "sshPort");
        int registry = port("org.apache.karaf.management", "rmiRegistryPort");
        int server = port("org.apache.karaf.management", "rmiServerPort");
        int http = port("org.ops4j.pax.web", "org.osgi.service.http.port");
        int grpc = port("org.sparoa.serving.grpc", "port");
        assertEquals("127.0.0.1", setting("org.apache.karaf.shell", "sshHost"));
        assertEquals("127.0.0.1", setting("org.ops4j.pax.web", "org.ops4j.pax.web.listening.addresses"));
        assertEquals("127.0.0.1", setting("org.sparoa.serving.grpc", "host"));
        assertEquals("127.0.0.1", setting("org.apache.karaf.management", "rmiRegistryHost"));
        assertEquals("127.0.0.1", setting("org.apache.karaf.management", "rmiServerHost"));
        List<Integer> ports = new ArrayList<>(List.of(ssh, server, http, grpc));
        // Pax Exam puts its own RMI registry (in the test JVM, on every address) on Karaf's registry port, and Karaf
        // then uses that registry instead of creating its own: under Pax Exam that port is the harness's, not ours
        String exam = System.getProperty("org.ops4j.pax.exam.rbc.rmi.port");
        if (exam == null || Integer.parseInt(exam.trim()) != registry) {
            ports.add(registry);
        } else {
            System.out.println("RemoteAccessTest: rmiRegistryPort " + registry + " is Pax Exam's registry here;"
                    + " checked its host setting only");
        }
        for (int port : ports) {
            Distribution.waitFor("port " + port + " listening on 127.0.0.1", () -> accepts("127.0.0.1", port));
        }
        List<String> others = otherAddresses();
        System.out.println("RemoteAccessTest: ports " + ports + " refused on " + others);
        for (String address : others) {
            for (int port : ports) {
                assertTrue("port " + port + " must not accept connections on " + address, !accepts(address, port));
            }
        }
    }

    private String setting(String pid, String key) throws IOException {
        return String.valueOf(configAdmin.getConfiguration(pid, null).getProperties().get(key)).trim();
    }

    @Test
    public void aFreshDistributionHasNoUserAndRefusesAWrongPassword() throws Exception {
        Path users = Paths.get(System.getProperty("karaf.etc"), "users.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(users)) {
            p.load(in);
        }
        List<String> names = p.stringPropertyNames().stream().filter(k -> !k.startsWith("_g_:")).sorted()
                .collect(Collectors.toList());
        assertEquals("users in a fresh distribution", List.of(), names);
        Properties keys = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get(System.getProperty("karaf.etc"), "keys.properties"))) {
            keys.load(in);
        }
        assertEquals("key users in a fresh distribution", List.of(), keys.stringPropertyNames().stream()
                .filter(k -> !k.startsWith("_g_:")).sorted().collect(Collectors.toList()));
        assertTrue("karaf/karaf is no login", !login("karaf", "karaf"));

        // a user created as the launcher would: the right password logs in, a wrong one does not
        String original = Files.readString(users);
        try {
            Files.writeString(users, original + "\nitest-user = right-password,_g_:admingroup\n");
            assertTrue("the right password is accepted", login("itest-user", "right-password"));
            assertTrue("a wrong password is refused", !login("itest-user", "wrong-password"));
            assertTrue("an empty password is refused", !login("itest-user", ""));
        } finally {
            Files.writeString(users, original);
        }
    }

    private int port(String pid, String key) throws IOException {
        Object v = configAdmin.getConfiguration(pid, null).getProperties().get(key);
        return Integer.parseInt(String.valueOf(v).trim());
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (ConnectException | SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every address of this machine but loopback ones; the wildcard bind is what would answer on them. */
    private static List<String> otherAddresses() throws IOException {
        List<String> out = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && a instanceof Inet4Address) {
                    out.add(a.getHostAddress());
                }
            }
        }
        if (out.isEmpty()) {
            fail("this machine has no address other than loopback: the test cannot show that nothing else listens");
        }
        return out;
    }

    private static boolean login(String user, String password) {
        try {
            LoginContext lc = new LoginContext("karaf", callbacks -> {
                for (javax.security.auth.callback.Callback c : callbacks) {
                    if (c instanceof NameCallback) {
                        ((NameCallback) c).setName(user);
                    } else if (c instanceof PasswordCallback) {
                        ((PasswordCallback) c).setPassword(password.toCharArray());
                    }
                }
            });
            lc.login();
            lc.logout();
            return true;
        } catch (LoginException e) {
            return false;
        }
    }
}
