package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClassBalancedSubsetTest {

  private static int[] counts(int[] labels, int[] indices, int classes) {
    int[] out = new int[classes];
    for (int i : indices) {
      out[labels[i]]++;
    }
    return out;
  }

  @Test
  void equalSharesPerClassSeededAndAscending() {
    // 3 classes, unevenly represented: 50, 30, 20 images
    int[] labels = new int[100];
    for (int i = 0; i < 100; i++) {
      labels[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
    }
    int[] a = ClassBalancedSubset.draw(labels, 3, 30, 7);
    assertArrayEquals(new int[] {10, 10, 10}, counts(labels, a, 3));
    assertArrayEquals(a, ClassBalancedSubset.draw(labels, 3, 30, 7));
    assertFalse(Arrays.equals(a, ClassBalancedSubset.draw(labels, 3, 30, 8)));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    assertArrayEquals(sorted, a);
    assertEquals(30, Arrays.stream(a).distinct().count());
  }

  @Test
  void aShortClassGivesAllItHasAndTheOthersMakeUpTheRest() {
    int[] labels = new int[100];
    for (int i = 0; i < 100; i++) {
      labels[i] = i < 50 ? 0 : i < 95 ? 1 : 2; // class 2 has 5 images
    }
    int[] counts = counts(labels, ClassBalancedSubset.draw(labels, 3, 60, 1), 3);
    assertEquals(5, counts[2]);
    assertTrue(Math.abs(counts[0] - counts[1]) <= 1, Arrays.toString(counts));
    assertEquals(60, counts[0] + counts[1] + counts[2]);
    // a remainder goes to randomly chosen classes, one each
    int[] uneven = counts(labels, ClassBalancedSubset.draw(labels, 3, 10, 2), 3);
    assertEquals(10, Arrays.stream(uneven).sum());
    assertTrue(Arrays.stream(uneven).max().getAsInt() - Arrays.stream(uneven).min().getAsInt() <= 1);
    assertThrows(IllegalArgumentException.class, () -> ClassBalancedSubset.draw(labels, 3, 101, 0));
  }
}
