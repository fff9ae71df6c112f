package io.robustcl.report;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.robustcl.pipeline.Artifact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Which test images each accuracy metric of a stage got right ({@value #FILE} in its artifact),
 * so that two accuracies measured on the same images can be compared as a paired sample. Two
 * models scored on the same images are wrong on many of the same ones; their accuracies are
 * positively correlated, and the error of their difference is {@code sqrt(s_a^2 + s_b^2 -
 * 2 rho s_a s_b)}, smaller than the independent {@code sqrt(s_a^2 + s_b^2)} (the reasoning of
 * McNemar's test, Psychometrika 1947).
 *
 * @param images what identifies the images and their order: the test set's artifact hash and the
 *     number of images taken from its head; two stages share images only when it is equal
 * @param count the number of images
 * @param correct per accuracy metric, bit i set when image i was classified correctly
 */
public record ImageOutcomes(String images, int count, ImmutableMap<String, BitSet> correct) {

  /** The file in a stage's artifact. */
  public static final String FILE = "outcomes.json";

  /** The images of a stage that scored the first {@code count} test images of data artifact {@code dataHash}. */
  public static String testImages(String dataHash, int count) {
    return "test:" + dataHash + ":" + count;
  }

  /** {@code flags} per metric, each of length {@code count}. */
  public static ImageOutcomes of(String images, int count, Map<String, boolean[]> flags) {
    ImmutableMap.Builder<String, BitSet> correct = ImmutableMap.builder();
    flags.forEach((metric, f) -> {
      if (f.length != count) {
        throw new IllegalArgumentException("metric " + metric + ": " + f.length + " flags for " + count + " images");
      }
      BitSet bits = new BitSet(count);
      for (int i = 0; i < count; i++) {
        bits.set(i, f[i]);
      }
      correct.put(metric, bits);
    });
    return new ImageOutcomes(images, count, correct.buildOrThrow());
  }

  /** Writes {@value #FILE} into {@code dir}. */
  public void write(Path dir) throws IOException {
    JsonObject json = new JsonObject();
    json.addProperty("images", images);
    json.addProperty("count", count);
    JsonObject metrics = new JsonObject();
    Base64.Encoder base64 = Base64.getEncoder();
    correct.forEach((metric, bits) -> metrics.addProperty(metric, base64.encodeToString(bits.toByteArray())));
    json.add("correct", metrics);
    Files.writeString(dir.resolve(FILE), json + "\n", StandardCharsets.UTF_8);
  }

  /**
   * The outcomes in {@code artifact}, empty when it has none (artifacts written before stages kept
   * them, or stages that measure no accuracies).
   *
   * @throws IllegalArgumentException naming the stage and file when it is not what {@link #write} writes
   */
  public static Optional<ImageOutcomes> read(Artifact artifact) {
    Path file = artifact.file(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonObject json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      int count = json.get("count").getAsInt();
      ImmutableMap.Builder<String, BitSet> correct = ImmutableMap.builder();
      Base64.Decoder base64 = Base64.getDecoder();
      for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("correct").entrySet()) {
        BitSet bits = BitSet.valueOf(base64.decode(e.getValue().getAsString()));
        if (bits.length() > count) {
          throw new IllegalArgumentException("metric " + e.getKey() + " marks image " + (bits.length() - 1)
              + " of " + count);
        }
        correct.put(e.getKey(), bits);
      }
      return Optional.of(new ImageOutcomes(json.get("images").getAsString(), count, correct.buildOrThrow()));
    } catch (IOException | RuntimeException e) {
      // JsonParseException, IllegalStateException, NullPointerException and bad Base64 alike
      String why = e instanceof JsonParseException ? "not JSON" : String.valueOf(e.getMessage());
      throw new IllegalArgumentException("stage '" + artifact.stageName() + "': " + file
          + ": unreadable per-image outcomes (" + why + "); recompute it with --force " + artifact.stageName(), e);
    }
  }

  /**
   * The correlation over images of metric {@code metric} here and {@code otherMetric} of
   * {@code other} (the phi coefficient of the two 0/1 outcomes), empty when the two were not
   * measured on the same images or either metric has no outcomes; 0 when either is constant.
   */
  public OptionalDouble correlation(String metric, ImageOutcomes other, String otherMetric) {
    BitSet a = correct.get(metric);
    BitSet b = other.correct.get(otherMetric);
    if (a == null || b == null || !images.equals(other.images) || count != other.count || count == 0) {
      return OptionalDouble.empty();
    }
    BitSet both = (BitSet) a.clone();
    both.and(b);
    double pa = (double) a.cardinality() / count;
    double pb = (double) b.cardinality() / count;
    double pab = (double) both.cardinality() / count;
    double spread = Math.sqrt(pa * (1 - pa) * pb * (1 - pb));
    return OptionalDouble.of(spread == 0 ? 0 : (pab - pa * pb) / spread);
  }
}
