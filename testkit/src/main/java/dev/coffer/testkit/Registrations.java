package dev.coffer.testkit;

import dev.coffer.spi.BackupProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Reads a provider's registrations from its own jar or class directory (rule P1), whichever way the
 * JVM runs: the {@code META-INF/services} file and, where there is one, {@code module-info.class}.
 */
final class Registrations {

  private static final String SERVICES = "META-INF/services/" + BackupProvider.class.getName();

  private Registrations() {}

  /** Whether the services file beside the class lists it (comments and blanks ignored). */
  static boolean listedInServicesFile(Class<?> type) throws IOException {
    Optional<String> text = read(type, SERVICES);
    if (text.isEmpty()) {
      return false;
    }
    return text.get()
        .lines()
        .map(l -> l.replaceFirst("#.*", "").strip())
        .anyMatch(type.getName()::equals);
  }

  /** The module descriptor compiled beside the class, if it has one. */
  static Optional<ModuleDescriptor> moduleDescriptor(Class<?> type) throws IOException {
    Optional<Path> root = codeRoot(type);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    try (Located located = locate(root.get())) {
      Path info = located.root.resolve("module-info.class");
      if (!Files.isRegularFile(info)) {
        return Optional.empty();
      }
      try (InputStream in = Files.newInputStream(info)) {
        return Optional.of(ModuleDescriptor.read(in));
      }
    }
  }

  private static Optional<String> read(Class<?> type, String resource) throws IOException {
    Optional<Path> root = codeRoot(type);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    try (Located located = locate(root.get())) {
      Path file = located.root.resolve(resource);
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    }
  }

  /** The jar file or class directory the class was loaded from, when it is a local file. */
  private static Optional<Path> codeRoot(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null || !"file".equals(location.getProtocol())) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(location.toURI()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A directory as it is, or a jar opened as a zip file system (closed with this). */
  private record Located(Path root, FileSystem zip) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      if (zip != null) {
        zip.close();
      }
    }
  }

  private static Located locate(Path code) throws IOException {
    if (Files.isDirectory(code)) {
      return new Located(code, null);
    }
    FileSystem zip =
        FileSystems.newFileSystem(code); // a private instance, never the registered one
    return new Located(zip.getPath("/"), zip);
  }
}
