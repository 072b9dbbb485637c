package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PosixAttributesTest {

  @TempDir Path tmp;

  @Test
  void components_outOfRange_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> PosixAttributes.ofMode(010000));
    assertThrows(IllegalArgumentException.class, () -> PosixAttributes.ofMode(-1));
    assertThrows(
        IllegalArgumentException.class, () -> new PosixAttributes(0600, -2, 0, null, null));
    assertThrows(IllegalArgumentException.class, () -> new PosixAttributes(0600, 0, 0, "", null));
    assertThrows(
        IllegalArgumentException.class, () -> new PosixAttributes(0600, 0, 0, "a/b", null));
    assertThrows(
        IllegalArgumentException.class, () -> new PosixAttributes(0600, 0, 0, null, "x\ny"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PosixAttributes(0600, 0, 0, "u".repeat(257), null));
    assertEquals(07777, PosixAttributes.ofMode(07777).permissions());
  }

  @Test
  void modeString_andPermissionSet_describeTheBits() {
    assertEquals("0750", PosixAttributes.ofMode(0750).modeString());
    assertEquals("4755", PosixAttributes.ofMode(04755).modeString());
    assertEquals("0000", PosixAttributes.ofMode(0).modeString());
    assertEquals(
        PosixFilePermissions.fromString("rwxr-x---"), PosixAttributes.ofMode(0750).permissionSet());
    assertEquals(
        PosixFilePermissions.fromString("rwxr-xr-x"),
        PosixAttributes.ofMode(04755).permissionSet());
    for (int mode = 0; mode <= 0777; mode++) {
      assertEquals(mode, PosixAttributes.toBits(PosixAttributes.toSet(mode)));
    }
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void read_reportsModeAndOwner(PosixFileSystems kind) throws IOException {
    Path f = Files.writeString(kind.newRoot(tmp).resolve("f"), "x");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    PosixAttributes a = PosixAttributes.read(f).orElseThrow();
    assertEquals(0640, a.permissions());
    assertEquals(Files.getOwner(f).getName(), a.owner());
    assertTrue(a.uid() >= 0, "the unix view gives numeric ids: " + a);
    assertTrue(a.gid() >= 0, "the unix view gives numeric ids: " + a);
  }

  @Test
  void read_onTheRealDisk_keepsSpecialBitsAndNumericIds() throws IOException {
    Path d = Files.createDirectory(tmp.resolve("d"));
    Files.setAttribute(d, "unix:mode", 01770);
    PosixAttributes a = PosixAttributes.read(d, LinkOption.NOFOLLOW_LINKS).orElseThrow();
    assertEquals(01770, a.permissions());
    assertEquals(Files.getAttribute(d, "unix:uid"), a.uid());
    assertEquals(Files.getAttribute(d, "unix:gid"), a.gid());
  }

  @Test
  void read_withoutPosixView_isEmpty() throws IOException {
    Path f = Files.writeString(PosixFileSystems.windows().resolve("f"), "x");
    assertEquals(Optional.empty(), PosixAttributes.read(f));
  }
}
