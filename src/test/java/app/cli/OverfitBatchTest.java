package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.train.OverfitCheck;
import data.Dataset;
import data.Digits;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code train --overfit-batch N}: a sane model memorizes a tiny batch; a broken one fails and says why. */
class OverfitBatchTest {
    @Test
    void aSaneModelMemorizesTenDigits() {
        TrainCommandTest.Result r = nabla("train", "--overfit-batch", "10");
        assertEquals(0, r.exit(), r.out() + r.err());
        Matcher m = Pattern.compile("loss (\\S+) < 0.001 after (\\d+) full-batch steps").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) < 1e-3, r.out());
        assertTrue(Integer.parseInt(m.group(2)) < OverfitCheck.MAX_STEPS, r.out());
    }

    @Test
    void aFullyFrozenModelFailsNamingTheFrozenLayers() {
        TrainCommandTest.Result r = nabla("train", "--overfit-batch", "10", "--freeze", "1,2");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("overfit check FAILED"), r.out());
        assertTrue(r.out().contains("every Linear layer is frozen (--freeze 1,2)"), r.out());
    }

    @Test
    void aTooHighLearningRateIsNamedWithTheDeadUnitsItLeaves() {
        TrainCommandTest.Result r = nabla("train", "--overfit-batch", "10", "--lr", "200");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("the learning rate 200 is likely too high; try --lr 20"), r.out());
        assertTrue(r.out().contains("units of relu1 are dead"), r.out());
    }

    @Test
    void aTooLowLearningRateIsNamed() {
        TrainCommandTest.Result r = nabla("train", "--overfit-batch", "10", "--lr", "1e-5");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("is likely too low; try --lr 0.0001"), r.out());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsABadUsage() {
        TrainCommandTest.Result r = nabla("train", "--overfit-batch", "1000000");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--overfit-batch must be in 1.."), r.err());
    }

    @Test
    void theBatchIsASeededDrawWithoutRepeats() throws Exception {
        Dataset train = Digits.split().train();
        Dataset a = OverfitCheck.pick(train, 50, 7), b = OverfitCheck.pick(train, 50, 7), c = OverfitCheck.pick(train, 50, 8);
        assertTrue(Arrays.equals(a.features().data(), b.features().data()));
        assertTrue(!Arrays.equals(a.features().data(), c.features().data()));
    }
}
