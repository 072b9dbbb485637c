package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The second JVM of rule P5's check ({@code ConcurrencyRules}): a small main class, started from
 * this JVM's {@code java.home} with its {@code java.class.path}, that opens a repository on the
 * default file system with the provider class and options it is given, lists it, takes one backup
 * and lists again, printing one line per result. Options travel on standard input (a key on a
 * command line is visible to every local user).
 */
final class OtherJvm {

  /** The exit status of a child that cannot load or construct the provider class. */
  static final int CANNOT_LOAD = 3;

  private OtherJvm() {}

  /**
   * Arguments: the provider's class name, the repository location, a source directory. Standard
   * input: the options, as {@link Properties}. Prints {@code listed <line>} per backup, {@code
   * backup <id>}, {@code listed ...} again; or {@code failed <exception>} and exits with 1.
   */
  public static void main(String[] args) throws IOException {
    Properties p = new Properties();
    p.load(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
    Map<String, String> options = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> options.put(k, p.getProperty(k)));
    BackupProvider provider;
    try {
      provider = (BackupProvider) Class.forName(args[0]).getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      System.out.println("failed " + e);
      System.exit(CANNOT_LOAD);
      return;
    }
    try (BackupRepository repo = provider.open(Path.of(args[1]), options)) {
      repo.list().forEach(m -> System.out.println("listed " + line(m)));
      System.out.println("backup " + repo.backup(Path.of(args[2])).backupId());
      repo.list().forEach(m -> System.out.println("listed " + line(m)));
    } catch (Exception | Error e) {
      System.out.println("failed " + e);
      System.exit(1);
    }
    System.exit(0);
  }

  /** What the two JVMs compare of a backup's metadata. */
  static String line(BackupMetadata m) {
    return m.backupId()
        + " "
        + m.createdAt()
        + " "
        + m.totalFiles()
        + " "
        + m.totalBytes()
        + " "
        + m.backupType()
        + " "
        + m.labels();
  }

  /** What a child printed, and its exit status. */
  record Result(int exit, List<String> lines) {}

  /**
   * Runs the child for {@code type} and waits for it.
   *
   * @throws IOException if no JVM can be started here
   */
  static Result run(
      Class<?> type, Path location, Path source, Map<String, String> options, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    if (!Files.isExecutable(java)) {
      throw new IOException("no java launcher at " + java);
    }
    List<String> command =
        List.of(
            java.toString(),
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            OtherJvm.class.getName(),
            type.getName(),
            location.toString(),
            source.toString());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    Properties p = new Properties();
    options.forEach(p::setProperty);
    try (OutputStream in = child.getOutputStream()) {
      p.store(new java.io.OutputStreamWriter(in, StandardCharsets.UTF_8), null);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream s = child.getInputStream()) {
                s.transferTo(out);
              } catch (IOException ignored) {
                // the child is gone; what it printed so far is reported
              }
            });
    reader.start();
    if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      child.waitFor();
    }
    reader.join(5_000);
    List<String> lines = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().toList());
    return new Result(child.isAlive() ? -1 : child.exitValue(), lines);
  }
}
