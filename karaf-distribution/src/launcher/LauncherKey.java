import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * Makes the ./sparoa launcher's SSH key pair with nothing but the JDK (no ssh-keygen needed): writes the private
 * key as PKCS#8 PEM, created readable by its owner only, and prints the public key in the form Karaf's
 * etc/keys.properties takes (the base64 field of an OpenSSH public key line).
 *
 * <p>Usage: {@code java LauncherKey.java PRIVATE_KEY_FILE}
 */
public final class LauncherKey {
    private LauncherKey() {
    }

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length != 1) {
            System.err.println("usage: java LauncherKey.java PRIVATE_KEY_FILE");
            System.exit(2);
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        KeyPair pair = generator.generateKeyPair();

        Path key = Path.of(args[0]).toAbsolutePath();
        Path partial = key.resolveSibling(key.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(partial, pem, StandardCharsets.US_ASCII);
        Files.move(partial, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        System.out.println(Base64.getEncoder().encodeToString(openSshBlob((RSAPublicKey) pair.getPublic())));
    }

    /** RFC 4253 section 6.6: string "ssh-rsa", mpint e, mpint n. */
    private static byte[] openSshBlob(RSAPublicKey key) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (byte[] field : new byte[][] {"ssh-rsa".getBytes(StandardCharsets.US_ASCII),
                key.getPublicExponent().toByteArray(), key.getModulus().toByteArray()}) {
            out.writeInt(field.length);
            out.write(field);
        }
        return bytes.toByteArray();
    }
}
