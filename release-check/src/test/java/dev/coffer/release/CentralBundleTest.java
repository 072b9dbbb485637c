package dev.coffer.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release profile's bundle, built from this reactor's output inside {@code mvn -B verify}: what
 * Central checks (sources and Javadoc for every jar, checksums, complete POMs) holds for every
 * published module.
 */
class CentralBundleTest {

  static final Path ROOT =
      Path.of(System.getProperty("coffer.root", "..")).toAbsolutePath().normalize();
  static final String VERSION = System.getProperty("coffer.version", "0.1.0-SNAPSHOT");

  @TempDir Path bundle;

  @BeforeEach
  void writeBundle() throws IOException {
    CentralBundle.write(ROOT, VERSION, bundle);
  }

  private Path artifactDir(String artifactId) {
    return bundle.resolve("dev/coffer").resolve(artifactId).resolve(VERSION);
  }

  @Test
  void everyPublishedJar_hasSourcesJavadocAndChecksums_andEveryPomIsComplete() throws IOException {
    assertEquals(List.of(), CentralBundle.check(bundle, VERSION, false));
    Set<String> published =
        CentralBundle.published(ROOT).stream()
            .map(CentralBundle.Module::artifactId)
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "coffer-parent",
            "coffer-bom",
            "coffer-api",
            "coffer-spi-local",
            "coffer-spi-archive",
            "coffer-store-s3",
            "coffer-testkit"),
        published,
        "a new module must be published (and pinned by the BOM) or listed as"
            + " unpublished in CentralBundle.UNPUBLISHED");
    for (String a :
        List.of(
            "coffer-api",
            "coffer-spi-local",
            "coffer-spi-archive",
            "coffer-store-s3",
            "coffer-testkit")) {
      assertTrue(Files.size(artifactDir(a).resolve(a + "-" + VERSION + "-javadoc.jar")) > 1000, a);
    }
  }

  @Test
  void aMissingJavadocJar_isNamed() throws IOException {
    Files.delete(
        artifactDir("coffer-spi-archive")
            .resolve("coffer-spi-archive-" + VERSION + "-javadoc.jar"));
    assertEquals(
        List.of(
            "coffer-spi-archive: coffer-spi-archive-"
                + VERSION
                + "-javadoc.jar is missing or empty"),
        CentralBundle.check(bundle, VERSION, false));
  }

  @Test
  void aWrongChecksum_isNamed() throws IOException {
    Files.writeString(
        artifactDir("coffer-api").resolve("coffer-api-" + VERSION + ".jar.sha1"), "00");
    assertEquals(
        List.of("coffer-api: coffer-api-" + VERSION + ".jar.sha1 is missing or does not match"),
        CentralBundle.check(bundle, VERSION, false));
  }

  @Test
  void aParentPomWithoutLicense_failsEveryModuleThatInheritsIt() throws IOException {
    Path parent = artifactDir("coffer-parent").resolve("coffer-parent-" + VERSION + ".pom");
    String pom = Files.readString(parent);
    Files.writeString(parent, pom.replaceAll("(?s)<licenses>.*?</licenses>", ""));
    List<String> problems = CentralBundle.check(bundle, VERSION, false);
    for (String a :
        List.of(
            "coffer-parent",
            "coffer-api",
            "coffer-spi-local",
            "coffer-spi-archive",
            "coffer-testkit")) {
      assertTrue(
          problems.contains(
              a + ": POM has no <licenses/license/name> (neither its own nor a parent's)"),
          a + " in " + problems);
    }
    assertTrue(
        problems.stream().noneMatch(p -> p.startsWith("coffer-bom:")),
        "the BOM has its own license");
  }

  @Test
  void aBomThatForgetsALibrary_isNamed() throws IOException {
    Path bom = artifactDir("coffer-bom").resolve("coffer-bom-" + VERSION + ".pom");
    String pom = Files.readString(bom);
    Files.writeString(
        bom,
        pom.replaceAll(
            "(?s)<dependency>\\s*<groupId>dev.coffer</groupId>\\s*<artifactId>coffer-testkit</artifactId>.*?</dependency>",
            ""));
    List<String> problems = CentralBundle.check(bundle, VERSION, false);
    assertTrue(problems.contains("coffer-bom: does not pin coffer-testkit"), problems.toString());
  }

  @Test
  void unsignedFiles_areNamedWhenSignaturesAreRequired() throws IOException {
    // a signed -Prelease run leaves .asc files in target/: this test is about a bundle without them
    try (var files = Files.walk(bundle)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".asc")).toList()) {
        Files.delete(p);
      }
    }
    List<String> problems = CentralBundle.check(bundle, VERSION, true);
    assertTrue(
        problems.contains(
            "coffer-api: coffer-api-" + VERSION + ".jar.asc (gpg signature) is missing"),
        problems.toString());
  }
}
