package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreProvider;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3StoreProviderTest {

  @Test
  void theS3Provider_isFoundByItsScheme_andDeclaresItsOptions() {
    StoreProvider s3 =
        ObjectStores.installed().stream()
            .filter(p -> p.scheme().equals("s3"))
            .findFirst()
            .orElseThrow();
    assertTrue(s3 instanceof S3StoreProvider);
    assertEquals(
        java.util.List.of(
            "endpoint",
            "region",
            "path-style",
            "part-size-mib",
            "parallel-parts",
            "page-size",
            "max-attempts",
            "timeout-seconds"),
        s3.options().stream().map(o -> o.name()).toList());
    assertTrue(
        s3.options().stream().noneMatch(o -> o.secret()), "no secret ever goes through options");
  }

  @Test
  void aLocation_isABucketAndAPrefixEndingInASlash() {
    assertEquals(
        new S3StoreProvider.Location("my-bucket", "db1/x/"),
        S3StoreProvider.location(URI.create("s3://my-bucket/db1/x")));
    assertEquals(
        new S3StoreProvider.Location("my.bucket", ""),
        S3StoreProvider.location(URI.create("s3://my.bucket")));
    assertEquals(
        new S3StoreProvider.Location("abc", ""), S3StoreProvider.location(URI.create("s3://abc/")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3://ab/x",
        "s3://Upper/x",
        "s3://under_score/x",
        "http://bucket/x",
        "s3:///x",
        "s3://bucket/Upper/",
        "s3://bucket/a//b"
      })
  void malformedLocations_areRefused(String uri) {
    assertThrows(IllegalArgumentException.class, () -> S3StoreProvider.location(URI.create(uri)));
  }

  @Test
  void credentialsInTheUri_areRefusedWithoutEchoingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3StoreProvider.location(URI.create("s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/x")));
    assertFalse(
        e.getMessage().contains("wJalrXUtnFEMI") || e.getMessage().contains("AKIAEXAMPLE"),
        e.getMessage());
  }

  @Test
  void malformedOptions_areRefusedBeforeAnyRequest() {
    URI uri = URI.create("s3://bucket/x");
    assertThrows(
        IllegalArgumentException.class,
        () -> ObjectStores.open(uri, Map.of("part-size-mib", "4")),
        "below S3's 5 MiB minimum part");
    assertThrows(
        IllegalArgumentException.class,
        () -> ObjectStores.open(uri, Map.of("endpoint", "ftp://host")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ObjectStores.open(uri, Map.of("endpoint", "http://user:pass@host:9000")));
    assertThrows(
        IllegalArgumentException.class, () -> ObjectStores.open(uri, Map.of("secret-key", "x")));
  }
}
