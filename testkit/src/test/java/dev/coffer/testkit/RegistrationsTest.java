package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupRepository;
import dev.coffer.testkit.reference.ReferenceProvider;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RegistrationsTest {

  @Test
  void servicesFile_listsTheReferenceProvider_butNotAClassThatIsNoProvider() throws IOException {
    assertTrue(Registrations.listedInServicesFile(ReferenceProvider.class));
    assertFalse(Registrations.listedInServicesFile(RegistrationsTest.class));
  }

  @Test
  void moduleDescriptor_isReadFromTheClassesOwnJarOrDirectory() throws IOException {
    assertEquals(
        "dev.coffer", Registrations.moduleDescriptor(BackupRepository.class).orElseThrow().name());
    assertTrue(
        Registrations.moduleDescriptor(RegistrationsTest.class).isEmpty(),
        "test classes have no module-info");
  }
}
