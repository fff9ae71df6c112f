package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The key form: 64 lowercase hex digits, and nothing else, whatever the character. */
class CacheKeysTest {

  @Test
  void onlySixtyFourLowercaseHexDigitsAreAKey() {
    String good = key("k");
    assertTrue(CacheKeys.isValid(good));
    for (int at : new int[] {0, 31, 63}) {
      for (int c = 0; c <= Character.MAX_VALUE; c++) { // every UTF-16 unit, so also non-Latin-1 strings
        String s = good.substring(0, at) + (char) c + good.substring(at + 1);
        boolean hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
        if (hex != CacheKeys.isValid(s)) {
          throw new AssertionError("char " + c + " at " + at + ": expected " + hex);
        }
      }
    }
    assertFalse(CacheKeys.isValid(good.substring(1)));
    assertFalse(CacheKeys.isValid(good + "0"));
    assertFalse(CacheKeys.isValid(""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CacheKeys.requireValid("../" + good.substring(3)));
    assertTrue(e.getMessage().contains("expected 64 lowercase hex digits"), e.getMessage());
  }
}
