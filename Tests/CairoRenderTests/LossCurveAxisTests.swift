// CairoRenderTests — the loss plot's axes: round tick steps that cover the losses, step ticks at round strides.
import Storyboard
import Testing
@testable import CairoRender

@Suite("Loss curve axes")
struct LossCurveAxisTests {
    @Test("y ticks are round steps (1, 2, 2.5, 5 × 10^k) from 0 or below to the highest loss or above")
    func yAxis() {
        #expect(LossCurvePainter.roundStep(0.6) == 1)
        #expect(LossCurvePainter.roundStep(0.24) == 0.25)
        #expect(LossCurvePainter.roundStep(3e-5) == 5e-5)
        #expect(LossCurvePainter.roundStep(2) == 2)
        for losses in [[2.403, 1.2, 0.004], [0.7229, 0.5746, 0.0625], [1e-12, 3e-12], [-0.5, 1.7], [4, 4]] {
            let axis = LossCurvePainter(curve: LossCurve(losses: losses, isTraining: true)).yAxis
            #expect(axis.low <= min(0, losses.min()!) && axis.high >= losses.max()!, "\(losses): \(axis)")
            let ticks = (axis.high - axis.low) / axis.step
            #expect(abs(ticks - ticks.rounded()) < 1e-9 && ticks >= 1 && ticks <= 8, "\(losses): \(axis)")
        }
        let tutorial = LossCurvePainter(curve: LossCurve(losses: [2.403, 1.2, 0.004], isTraining: true)).yAxis
        #expect(tutorial.low == 0 && tutorial.high == 3 && tutorial.step == 1)
    }

    @Test("step ticks: the first step, multiples of 1, 2, 5, 10, 20, … (at most about ten), and the last")
    func stepTicks() {
        #expect(LossCurvePainter.stepTicks(1) == [1])
        #expect(LossCurvePainter.stepTicks(5) == [1, 2, 3, 4, 5])
        #expect(LossCurvePainter.stepTicks(30) == [1, 5, 10, 15, 20, 25, 30])
        #expect(LossCurvePainter.stepTicks(31) == [1, 5, 10, 15, 20, 25, 31])
        #expect(LossCurvePainter.stepTicks(100) == [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        #expect(LossCurvePainter.stepTicks(10_000).count <= 12)
    }
}
