package io.robustcl.pipeline.cache;

import java.nio.charset.StandardCharsets;

/** The form of keys and hashes in the store: 64 lowercase hex digits (a SHA-256). */
public final class CacheKeys {

  private CacheKeys() {}

  /** Bit c of these words is set if character c (0-63, 64-127) is a lowercase hex digit. */
  private static final long DIGITS = 0x03ff_0000_0000_0000L; // '0'-'9' = 48-57
  private static final long LETTERS = 0x0000_007e_0000_0000L; // 'a'-'f' = 97-102

  /** True if {@code s} is 64 lowercase hex digits. */
  public static boolean isValid(String s) {
    // every look-up, lease, lock and input ref checks its key: no regex, and no charAt (a call
    // with a bounds check per character under the C1-only JIT of a cached run); a character
    // outside Latin-1 becomes '?' in the copy, which is no hex digit
    if (s.length() != 64) {
      return false;
    }
    for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) {
      int c = b & 0xff;
      long word = c < 64 ? DIGITS : c < 128 ? LETTERS : 0;
      if ((word >>> (c & 63) & 1) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns {@code key} if it is 64 lowercase hex digits; anything else (which could name a
   * path outside the store) is rejected.
   *
   * @throws IllegalArgumentException naming the bad key
   */
  public static String requireValid(String key) {
    if (!isValid(key)) {
      String shown = key.length() > 80 ? key.substring(0, 80) + "..." : key;
      throw new IllegalArgumentException(
          "bad cache key '" + shown + "': expected 64 lowercase hex digits (a SHA-256)");
    }
    return key;
  }
}
