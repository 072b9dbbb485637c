package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "keygen",
    description =
        "Write a new random 256-bit key (64 hex digits) to FILE, readable by the owner only.")
final class KeygenCommand extends CliCommand {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The key file to create; never overwritten.")
  Path file;

  @Override
  public Integer call() throws IOException {
    Path f = file.toAbsolutePath().normalize();
    cli.doing("keygen of " + f);
    write(f);
    if (json()) {
      ObjectNode doc = Json.object();
      doc.put("keyFile", f.toString());
      doc.put("keyBits", 256);
      Json.print(cli.out, doc);
    } else {
      out()
          .println(
              "Wrote a new 256-bit key to "
                  + f
                  + ". Keep a copy somewhere safe: without it the backups"
                  + " it protects cannot be read.");
    }
    return CofferCli.OK;
  }

  /**
   * Creates {@code f} (owner-only from the start where POSIX permissions exist) holding a new key.
   */
  static void write(Path f) throws IOException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] text = hex(key);
    Arrays.fill(key, (byte) 0);
    try {
      Path parent = f.getParent();
      boolean posix =
          parent != null
              && Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class);
      if (posix) {
        Files.createFile(
            f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(f);
      }
      try {
        Files.write(f, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(f);
        throw e;
      }
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** 64 lowercase hex digits and a newline. */
  static byte[] hex(byte[] key) {
    byte[] out = new byte[key.length * 2 + 1];
    for (int i = 0; i < key.length; i++) {
      out[2 * i] = (byte) HEX[(key[i] >> 4) & 0xF];
      out[2 * i + 1] = (byte) HEX[key[i] & 0xF];
    }
    out[out.length - 1] = '\n';
    return out;
  }
}
