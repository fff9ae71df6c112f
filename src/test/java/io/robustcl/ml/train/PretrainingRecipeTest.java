package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.model.Network;
import org.junit.jupiter.api.Test;

class PretrainingRecipeTest {
  @Test
  void everyMethodHasItsPaperRecipeAndUnknownNamesAreListed() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Network network = TinyImages.network(manager, 1);
      SimClrAugmentation t = SimClrAugmentation.builder().build();
      for (String name : PretrainingRecipe.METHODS) {
        PretrainingRecipe recipe = PretrainingRecipe.paper(name, network, 100, t, null, null);
        assertEquals(name, recipe.name());
        assertTrue(recipe.schedule().lr(1, 0) > 0, name); // ACL's warm-up starts from 0 at epoch 0
      }
      PretrainingRecipe rocl = PretrainingRecipe.paper("rocl", network, 100, t, null, null);
      assertTrue(rocl.sgd().lars());
      assertEquals(3.0, rocl.schedule().lr(10, 0), 1e-12);
      assertEquals(256, rocl.batchSize());
      PretrainingRecipe ascl = PretrainingRecipe.paper("ascl", network, 100, t, null, null);
      assertEquals(0.01, ascl.schedule().lr(60, 0), 1e-12);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PretrainingRecipe.paper("moco", network, 10, t, null, null));
      assertTrue(e.getMessage().contains("moco") && e.getMessage().contains("rocl"), e.getMessage());
    }
  }
}
