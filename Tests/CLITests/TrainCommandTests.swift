// CLITests — a training spec end to end: eval's losses and parameters, the loss-curve pictures (labelled axes,
// one point per step), the loss per step in plain replay, and bad training input (exit 2, nothing written).
import Foundation
import Testing

@Suite("convtrace with train: (end to end)", .serialized)
struct TrainCommandTests {
    /// y = W·x + b, x = 2, W = 0.5, b = 0, target 3; SGD lr 0.1: loss 4, then W 1.3, b 0.4 and the loss ~0.
    static let spec = """
        op: network
        input: [2]
        layers:
          - {op: linear, weight: [[0.5]], bias: [0]}
          - {op: mse, target: [3]}
        train:
          optimizer: {name: sgd, lr: 0.1}
          steps: 3
        """

    @Test func evalPrintsLossesAndFinalParameters() throws {
        let path = try CLI.temporaryFile(Self.spec)
        let r = try CLI.run(["eval", path, "--compact"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(jsonObject(r.stdout))
        #expect(json["optimizer"] as? String == "sgd")
        #expect(json["steps"] as? Int == 3)
        let losses = flatNumbers(json["losses"])
        #expect(losses.count == 3 && losses[0] == 4 && losses[1] < 1e-20)
        let layer = try #require((json["layers"] as? [[String: Any]])?.first)
        #expect(abs(flatNumbers(layer["weight"])[0] - 1.3) < 1e-12)
        #expect(abs(flatNumbers(layer["bias"])[0] - 0.4) < 1e-12)
    }

    @Test func renderDrawsTheLossCurve() throws {
        let path = try CLI.temporaryFile(Self.spec)
        let out = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["render", path, "--loss-curve", "-o", out.path, "--format", "svg,png,pdf"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLI.fileNames(out.path) == ["loss-curve.pdf", "loss-curve.png", "loss-curve.svg"])
        let svg = try String(contentsOfFile: out.appendingPathComponent("loss-curve.svg").path, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("640pt"))
        let png = try Data(contentsOf: out.appendingPathComponent("loss-curve.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Same input, same bytes.
        let again = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: again) }
        _ = try CLI.run(["render", path, "--loss-curve", "-o", again.path, "--format", "svg,png"])
        #expect(try Data(contentsOf: again.appendingPathComponent("loss-curve.svg"))
                == Data(contentsOf: out.appendingPathComponent("loss-curve.svg")))
        #expect(try Data(contentsOf: again.appendingPathComponent("loss-curve.png")) == png)
        // Frames of a training render come with the loss curve next to them.
        let frames = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: frames) }
        let f = try CLI.run(["render", path, "--phase", "update", "-o", frames.path, "--format", "svg"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(CLI.fileNames(frames.path).contains("loss-curve.svg"))
        #expect(CLI.fileNames(frames.path).filter { $0.hasPrefix("frame-") }.count == 6)  // 3 steps × (W, b)
        // A spec on standard input is read once: the loss curve comes from the run that drew the frames.
        let piped = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: piped) }
        let p = try CLI.run(["render", "/dev/stdin", "--phase", "update", "-o", piped.path, "--format", "svg"], stdin: Self.spec)
        #expect(p.status == 0, "\(p.stderr)")
        #expect(try Data(contentsOf: piped.appendingPathComponent("loss-curve.svg"))
                == Data(contentsOf: frames.appendingPathComponent("loss-curve.svg")))
    }

    @Test func lossCurveOfASpecThatDoesNotTrainIsRefused() throws {
        let path = try CLI.temporaryFile("{op: relu, input: [1, -1]}")
        let out = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["render", path, "--loss-curve", "-o", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--loss-curve needs a training spec"))
        #expect(CLI.fileNames(out.path).isEmpty)
    }

    @Test func plainReplayShowsTheLossPerStep() throws {
        let path = try CLI.temporaryFile(Self.spec)
        let r = try CLI.run(["replay", path, "--plain", "--phase", "update"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("training step 1 of 3 · loss by step 1: 4\n"))
        #expect(r.stdout.contains("training step 3 of 3 · loss by step 1: 4 · 2: 0 · 3: 0"))
    }

    @Test func badTrainingInputExitsTwoAndWritesNothing() throws {
        for (train, message) in [
            ("{optimizer: {name: adamm}, steps: 1}", "unknown optimizer 'adamm'; did you mean 'adam' or 'adamw'?"),
            ("{optimizer: {name: sgd, lr: .nan}, steps: 1}", "NaN and infinities are refused"),
            ("{optimizer: sgd, steps: 100000}", "outside the training limit"),
        ] {
            let path = try CLI.temporaryFile(Self.spec.replacingOccurrences(
                of: "train:\n  optimizer: {name: sgd, lr: 0.1}\n  steps: 3", with: "train: \(train)"))
            let out = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: out) }
            for args in [["eval", path], ["render", path, "-o", out.path], ["trace", path, "-o", out.path + "/t.ctb"]] {
                let r = try CLI.run(args)
                #expect(r.status == 2, "\(args): \(r.stderr)")
                #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            }
            #expect(CLI.fileNames(out.path).isEmpty)
        }
    }
}
