package dev.coffer.testkit.guide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/writing-a-provider.md shows the code this package compiles and runs through the TCK: every
 * {@code <!-- include: FILE -->} block equals its file, every {@code <!-- excerpt: FILE -->} block
 * appears in its file, character for character.
 */
class WritingAProviderGuideTest {

  /** The reactor's root: surefire runs in the module's directory. */
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  static final Path GUIDE = ROOT.resolve("docs/writing-a-provider.md");
  static final Pattern MARKED_BLOCK =
      Pattern.compile("<!-- (include|excerpt): (\\S+) -->\n```java\n(.*?)```\n", Pattern.DOTALL);

  record Marked(String kind, String file, String code) {}

  static List<Marked> markedBlocks(String markdown) {
    List<Marked> out = new ArrayList<>();
    Matcher m = MARKED_BLOCK.matcher(markdown);
    while (m.find()) {
      out.add(new Marked(m.group(1), m.group(2), m.group(3)));
    }
    return out;
  }

  @Test
  void everyIncludedBlock_isItsSourceFileVerbatim_andTheProviderIsShownWhole() throws IOException {
    List<Marked> blocks = markedBlocks(Files.readString(GUIDE));
    List<String> included = new ArrayList<>();
    for (Marked b : blocks) {
      String source = Files.readString(ROOT.resolve(b.file()));
      if (b.kind().equals("include")) {
        assertEquals(source, b.code(), b.file() + " differs from its copy in " + GUIDE);
        included.add(b.file());
      } else {
        assertTrue(
            source.contains(b.code()),
            "the excerpt of " + b.file() + " in " + GUIDE + " is not in it:\n" + b.code());
      }
    }
    String pkg = "testkit/src/test/java/dev/coffer/testkit/guide/";
    assertEquals(List.of(pkg + "CopyProvider.java", pkg + "CopyRepository.java"), included);
    assertTrue(
        blocks.stream().anyMatch(b -> b.file().equals(pkg + "CopyProviderConformanceTest.java")));
  }

  @Test
  void theRegistrationTheGuideNames_isTheOneTheBuildUses() throws IOException {
    String guide = Files.readString(GUIDE);
    String services =
        Files.readString(
            ROOT.resolve(
                "testkit/src/test/resources/META-INF/services/dev.coffer.spi.BackupProvider"));
    assertTrue(
        guide.contains("`" + CopyProvider.class.getName() + "`"),
        "the guide names the class to register");
    assertTrue(services.lines().anyMatch(CopyProvider.class.getName()::equals), services);
  }

  @Test
  void markedBlocks_areJavaBlocksRightAfterAMarker() {
    String doc = "<!-- include: x -->\n```java\nclass A {}\n```\n";
    assertEquals(List.of(new Marked("include", "x", "class A {}\n")), markedBlocks(doc));
    assertTrue(
        markedBlocks(doc.replace("```java", "```")).isEmpty(),
        "an unmarked language is not a match");
  }
}
