package dev.coffer.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Lays out the Maven Central upload bundle (a Maven repository layout with checksums and, when
 * signed, gpg signatures) from the reactor's build output, and checks it the way Central's
 * validation does: every jar has its sources and Javadoc jars, every file its {@code .md5} and
 * {@code .sha1}, every POM a name, description, URL, license, developer and SCM (its own or
 * inherited from a POM in the bundle), and the BOM pins every published library.
 *
 * <p>{@code mvn -B -Prelease verify} runs {@link #main}; {@code CentralBundleTest} runs the same
 * code inside {@code mvn -B verify}.
 */
public final class CentralBundle {

  /** Modules of the reactor that are built but not published (tools, examples, this check). */
  static final Set<String> UNPUBLISHED =
      Set.of(
          "coffer-cli",
          "coffer-benchmarks",
          "coffer-example-derby",
          "coffer-example-postgres",
          "coffer-example-s3",
          "coffer-release-check");

  static final String GROUP = "dev.coffer";
  static final String PARENT = "coffer-parent";
  static final String BOM = "coffer-bom";

  private CentralBundle() {}

  /**
   * Writes the bundle and its zip, then checks it; exits with status 1 when a check fails.
   *
   * @param args the reactor's root, the version, the bundle directory to write, and whether
   *     signatures are required ({@code true} or {@code false})
   * @throws Exception if the bundle cannot be written
   */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath().normalize();
    String version = args[1];
    Path out = Path.of(args[2]);
    boolean signed = Boolean.parseBoolean(args[3]);
    write(root, version, out);
    List<String> problems = check(out, version, signed);
    Path zip = out.resolveSibling(out.getFileName() + ".zip");
    zip(out, zip);
    if (version.endsWith("-SNAPSHOT")) {
      problems.add("version " + version + " is a snapshot: Central accepts releases only");
    }
    if (!signed) {
      System.out.println(
          "central bundle: not signed (pass -Dgpg.skip=false -Dcoffer.requireSignatures=true"
              + " with a gpg key to sign); Central refuses unsigned files");
    }
    problems.forEach(p -> System.out.println("central bundle: " + p));
    System.out.println(
        "central bundle: " + zip + (problems.isEmpty() ? " passes" : " has problems"));
    if (!problems.isEmpty() && !version.endsWith("-SNAPSHOT")) {
      System.exit(1);
    }
  }

  /** One module of the reactor: its artifact id, packaging, directory and POM. */
  record Module(String artifactId, String packaging, Path dir) {
    Path pom() {
      return dir.resolve("pom.xml");
    }
  }

  /**
   * The published modules: the parent, the BOM, and every jar module of the reactor not in {@link
   * #UNPUBLISHED}.
   */
  static List<Module> published(Path root) throws IOException {
    List<Module> out = new ArrayList<>();
    Element parent = parse(root.resolve("pom.xml"));
    out.add(new Module(child(parent, "artifactId"), "pom", root));
    Element modules = childElement(parent, "modules");
    for (Element m : children(modules, "module")) {
      Path dir = root.resolve(m.getTextContent().trim());
      Element pom = parse(dir.resolve("pom.xml"));
      String id = child(pom, "artifactId");
      String packaging = child(pom, "packaging");
      if (!UNPUBLISHED.contains(id)) {
        out.add(new Module(id, packaging.isEmpty() ? "jar" : packaging, dir));
      }
    }
    return out;
  }

  /** Writes the Maven repository layout of every published module under {@code out}. */
  static void write(Path root, String version, Path out) throws IOException {
    for (Module m : published(root)) {
      Path dir = out.resolve(GROUP.replace('.', '/')).resolve(m.artifactId()).resolve(version);
      Files.createDirectories(dir);
      String base = m.artifactId() + "-" + version;
      Map<String, Path> files = new LinkedHashMap<>();
      files.put(base + ".pom", m.pom());
      if (m.packaging().equals("jar")) {
        for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
          files.put(base + suffix, m.dir().resolve("target").resolve(base + suffix));
        }
      }
      for (Map.Entry<String, Path> f : files.entrySet()) {
        if (!Files.isRegularFile(f.getValue())) {
          continue; // check() names what is missing
        }
        Path target = dir.resolve(f.getKey());
        Files.copy(f.getValue(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path signature = m.dir().resolve("target").resolve(f.getKey() + ".asc");
        if (Files.isRegularFile(signature)) {
          Files.copy(
              signature,
              dir.resolve(f.getKey() + ".asc"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] bytes = Files.readAllBytes(target);
        Files.writeString(dir.resolve(f.getKey() + ".md5"), digest("MD5", bytes));
        Files.writeString(dir.resolve(f.getKey() + ".sha1"), digest("SHA-1", bytes));
      }
    }
  }

  /**
   * Checks a bundle written by {@link #write}.
   *
   * @return one line per problem; empty when Central would accept the bundle (signatures aside when
   *     not required)
   */
  static List<String> check(Path bundle, String version, boolean requireSignatures)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Path group = bundle.resolve(GROUP.replace('.', '/'));
    List<String> artifacts;
    try (Stream<Path> s = Files.list(group)) {
      artifacts = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    for (String a : List.of(PARENT, BOM)) {
      if (!artifacts.contains(a)) {
        problems.add(a + ": not in the bundle");
      }
    }
    List<String> jars = new ArrayList<>();
    for (String a : artifacts) {
      Path dir = group.resolve(a).resolve(version);
      String base = a + "-" + version;
      Path pomFile = dir.resolve(base + ".pom");
      if (!Files.isRegularFile(pomFile)) {
        problems.add(a + ": no POM");
        continue;
      }
      Element pom = parse(pomFile);
      problems.addAll(pomProblems(a, pom, group, version));
      List<String> required = new ArrayList<>(List.of(base + ".pom"));
      String packaging = child(pom, "packaging");
      if (packaging.isEmpty() || packaging.equals("jar")) {
        jars.add(a);
        required.addAll(List.of(base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
      }
      for (String name : required) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f) || Files.size(f) == 0) {
          problems.add(a + ": " + name + " is missing or empty");
          continue;
        }
        byte[] bytes = Files.readAllBytes(f);
        for (String[] sum : new String[][] {{".md5", "MD5"}, {".sha1", "SHA-1"}}) {
          Path s = dir.resolve(name + sum[0]);
          if (!Files.isRegularFile(s)
              || !Files.readString(s).trim().equals(digest(sum[1], bytes))) {
            problems.add(a + ": " + name + sum[0] + " is missing or does not match");
          }
        }
        if (requireSignatures && !Files.isRegularFile(dir.resolve(name + ".asc"))) {
          problems.add(a + ": " + name + ".asc (gpg signature) is missing");
        }
      }
      problems.addAll(jarContentProblems(a, dir, base));
    }
    problems.addAll(
        bomProblems(
            group.resolve(BOM).resolve(version).resolve(BOM + "-" + version + ".pom"),
            jars,
            version));
    return problems;
  }

  /** Central's required elements, looked up in the POM and then its parents inside the bundle. */
  private static List<String> pomProblems(String a, Element pom, Path group, String version)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (String own : List.of("name", "description")) {
      if (child(pom, own).isBlank()) {
        problems.add(a + ": POM has no <" + own + ">");
      }
    }
    String[][] inherited = {
      {"url"}, {"licenses", "license", "name"}, {"licenses", "license", "url"},
      {"developers", "developer", "organization"}, {"scm", "url"}, {"scm", "connection"},
    };
    for (String[] path : inherited) {
      if (inherited(pom, group, version, path).isBlank()) {
        problems.add(
            a + ": POM has no <" + String.join("/", path) + "> (neither its own nor a parent's)");
      }
    }
    String groupId =
        child(pom, "groupId").isEmpty()
            ? child(childElement(pom, "parent"), "groupId")
            : child(pom, "groupId");
    String v =
        child(pom, "version").isEmpty()
            ? child(childElement(pom, "parent"), "version")
            : child(pom, "version");
    if (!GROUP.equals(groupId) || !version.equals(v)) {
      problems.add(
          a + ": POM coordinates are " + groupId + ":" + v + ", expected " + GROUP + ":" + version);
    }
    return problems;
  }

  private static String inherited(Element pom, Path group, String version, String... path)
      throws IOException {
    for (Element p = pom; p != null; ) {
      Element e = p;
      for (String step : path) {
        e = childElement(e, step);
      }
      if (e != null && !e.getTextContent().isBlank()) {
        return e.getTextContent().trim();
      }
      Element parent = childElement(p, "parent");
      if (parent == null) {
        return "";
      }
      Path parentPom =
          group
              .resolve(child(parent, "artifactId"))
              .resolve(version)
              .resolve(child(parent, "artifactId") + "-" + version + ".pom");
      p = Files.isRegularFile(parentPom) ? parse(parentPom) : null;
    }
    return "";
  }

  /** A sources jar holds Java sources and a Javadoc jar a generated index: not placeholders. */
  private static List<String> jarContentProblems(String a, Path dir, String base)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Path sources = dir.resolve(base + "-sources.jar");
    Path javadoc = dir.resolve(base + "-javadoc.jar");
    if (Files.isRegularFile(sources) && !contains(sources, ".java")) {
      problems.add(a + ": sources jar has no Java source");
    }
    if (Files.isRegularFile(javadoc) && !contains(javadoc, "index.html")) {
      problems.add(a + ": Javadoc jar has no index.html");
    }
    return problems;
  }

  private static List<String> bomProblems(Path bomFile, List<String> jars, String version)
      throws IOException {
    if (!Files.isRegularFile(bomFile)) {
      return List.of();
    }
    Element bom = parse(bomFile);
    List<String> problems = new ArrayList<>();
    if (childElement(bom, "parent") != null) {
      problems.add(
          BOM + ": has a parent, so importing it would pin the parent's third-party versions");
    }
    List<String> pinned = new ArrayList<>();
    Element deps = childElement(childElement(bom, "dependencyManagement"), "dependencies");
    for (Element d : children(deps, "dependency")) {
      pinned.add(child(d, "artifactId"));
      String v = child(d, "version");
      if (!v.equals(version) && !v.equals("${project.version}")) {
        problems.add(BOM + ": pins " + child(d, "artifactId") + " at " + v + ", not " + version);
      }
    }
    for (String jar : jars) {
      if (!pinned.contains(jar)) {
        problems.add(BOM + ": does not pin " + jar);
      }
    }
    return problems;
  }

  private static boolean contains(Path jar, String name) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.stream()
          .anyMatch(
              e ->
                  e.getName().equals(name)
                      || e.getName().endsWith(name.startsWith(".") ? name : "/" + name));
    }
  }

  static void zip(Path dir, Path zip) throws IOException {
    try (OutputStream o = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(o);
        Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        z.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
        try (InputStream in = Files.newInputStream(f)) {
          in.transferTo(z);
        }
        z.closeEntry();
      }
    }
  }

  static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Element parse(Path pom) throws IOException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document d = f.newDocumentBuilder().parse(pom.toFile());
      return d.getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("malformed POM " + pom + ": " + e.getMessage(), e);
    }
  }

  static Element childElement(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent != null) {
      for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && e.getTagName().equals(name)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  static String child(Element parent, String name) {
    Element e = childElement(parent, name);
    return e == null ? "" : e.getTextContent().trim();
  }
}
