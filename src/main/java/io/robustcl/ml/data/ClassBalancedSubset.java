package io.robustcl.ml.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, class-balanced random subset of a labelled set: {@code count} indices with every class
 * given {@code count / classes} of them (the remainder going to classes drawn at random), each class's
 * share drawn uniformly without replacement. A class with fewer images than its share gives all it has
 * and the shortfall is spread over the classes that have more, so the subset is as balanced as the data
 * allows. The indices come back ascending (the source's order); the same labels, count and seed give the
 * same subset.
 */
public final class ClassBalancedSubset {
  private ClassBalancedSubset() {}

  /**
   * @param labels the label of every image, each in [0, classes)
   * @param classes the number of classes
   * @param count how many indices to draw, at most {@code labels.length}
   * @param seed the draw's seed
   */
  public static int[] draw(int[] labels, int classes, int count, long seed) {
    if (count < 0 || count > labels.length) {
      throw new IllegalArgumentException("cannot draw " + count + " of " + labels.length + " images");
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (List<Integer> members : byClass) {
      // Fisher-Yates: the first k of a uniform permutation are a uniform k-subset
      for (int i = members.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Integer t = members.get(i);
        members.set(i, members.get(j));
        members.set(j, t);
      }
    }
    int[] quota = shares(byClass, count, random);
    int[] out = new int[count];
    int next = 0;
    for (int c = 0; c < classes; c++) {
      for (int k = 0; k < quota[c]; k++) {
        out[next++] = byClass.get(c).get(k);
      }
    }
    Arrays.sort(out);
    return out;
  }

  /** Per-class counts summing to {@code count}, as equal as the class sizes allow. */
  private static int[] shares(List<List<Integer>> byClass, int count, SplittableRandom random) {
    int classes = byClass.size();
    int[] quota = new int[classes];
    int[] order = new int[classes];
    for (int c = 0; c < classes; c++) {
      order[c] = c;
    }
    for (int i = classes - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    // hand out one image at a time, round-robin over the classes in a random order, skipping the
    // classes that are used up: equal shares, the remainder at random, shortfalls spread over the rest
    int given = 0;
    while (given < count) {
      for (int k = 0; k < classes && given < count; k++) {
        int c = order[k];
        if (quota[c] < byClass.get(c).size()) {
          quota[c]++;
          given++;
        }
      }
    }
    return quota;
  }
}
