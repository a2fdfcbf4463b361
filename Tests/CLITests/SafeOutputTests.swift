// CLITests — issue 13: output paths that are FIFOs, symlinks, folders or the input; stdin limits; quiet failures.
import ChildProcess
import Foundation
import Testing

/// Runs a shell script with `$BIN` set to the built binary and `$D` to a fresh temporary folder, in
/// the repository root; every run has a deadline.
private func sh(_ script: String, timeout: Double = 120) throws -> (result: ChildResult, dir: String) {
    guard let binary = CLI.binary else { throw CLIError("convtrace binary not found") }
    let dir = try CLI.temporaryFolder().path
    let full = "BIN='\(binary.path)'; D='\(dir)'; cd '\(CLI.root.path)'\n" + script
    return (try ChildProcess.run("/bin/sh", ["-c", full], timeout: timeout), dir)
}

private func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

@Suite("Output paths are never clobbered")
struct SafeOutputTests {
    @Test("a FIFO stays a FIFO and its reader gets the trace")
    func fifo() throws {
        let (r, d) = try sh("""
            mkfifo "$D/pipe" && cat "$D/pipe" > "$D/read.jsonl" & sleep 0.2
            while [ ! -p "$D/pipe" ]; do sleep 0.05; done
            "$BIN" trace examples/conv-basic.yaml -o "$D/pipe"; echo "status=$?"; wait
            [ -p "$D/pipe" ] && echo still-fifo
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.contains("status=0"), "\(r.stderr)")
        #expect(r.stdout.contains("still-fifo"))
        let lines = text(d + "/read.jsonl").split(separator: "\n")
        #expect(lines.count == 62)  // header, 60 events, end line
        #expect(CLI.fileNames(d).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test("a symlink stays a link; its target is replaced, in the target's folder")
    func symlink() throws {
        let (r, d) = try sh("""
            mkdir "$D/real" && echo old > "$D/real/t.jsonl" && ln -s real/t.jsonl "$D/link.jsonl"
            "$BIN" trace examples/conv-basic.yaml -o "$D/link.jsonl"; echo "status=$?"
            [ -L "$D/link.jsonl" ] && echo still-link
            ln -s nowhere/../real/new.jsonl "$D/dangling.jsonl"
            "$BIN" trace examples/conv-basic.yaml -o "$D/dangling.jsonl"; echo "status2=$?"
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.contains("status=0"), "\(r.stderr)")
        #expect(r.stdout.contains("still-link"))
        #expect(text(d + "/real/t.jsonl").split(separator: "\n").count == 62)
        #expect(CLI.fileNames(d + "/real").filter { $0.contains("tmp") }.isEmpty)
        // A dangling link's target is created (its folder `nowhere` does not exist, so it fails cleanly).
        #expect(r.stdout.contains("status2=1"), "\(r.stdout)")
    }

    @Test("a folder, or the input itself, is refused with a message and exit 2; the input is untouched")
    func refusals() throws {
        let (r, d) = try sh("""
            cp examples/conv-basic.yaml "$D/spec.yaml"
            "$BIN" trace "$D/spec.yaml" -o "$D/spec.yaml"; echo "same=$?"
            ln -s spec.yaml "$D/alias.yaml"
            "$BIN" trace "$D/spec.yaml" -o "$D/alias.yaml"; echo "alias=$?"
            "$BIN" trace "$D/spec.yaml" -o "$D"; echo "folder=$?"
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.contains("same=2"))
        #expect(r.stdout.contains("alias=2"))
        #expect(r.stdout.contains("folder=2"))
        #expect(r.stderr.contains("is the same file as the input"))
        #expect(r.stderr.contains("is a folder"))
        #expect(text(d + "/spec.yaml") == text(CLI.root.path + "/examples/conv-basic.yaml"))
    }

    @Test("- writes the trace to standard output")
    func standardOutput() throws {
        let r = try CLI.run(["trace", "examples/conv-basic.yaml", "-o", "-"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("{") == true)
        #expect(lines.filter { $0.contains("\"kind\":\"mac\"") }.count == 16)
        #expect(lines.count == 62)  // header, 60 events, end line: the summary goes to stderr
        #expect(r.stderr.contains("-: 60 events (jsonl)"))
    }

    @Test("SIGTERM during trace leaves no temporary file")
    func interrupted() throws {
        // A 120×120 input and a 9×9 kernel: 1.1 M multiply-accumulates forward, more backward.
        let row = "[" + Array(repeating: "1", count: 120).joined(separator: ",") + "]"
        let spec = "op: conv2d\ninput: [" + Array(repeating: row, count: 120).joined(separator: ",") + "]\n"
            + "kernel: " + "[" + Array(repeating: "[1,1,1,1,1,1,1,1,1]", count: 9).joined(separator: ",") + "]\n"
        let specPath = try CLI.temporaryFile(spec)
        defer { try? FileManager.default.removeItem(atPath: (specPath as NSString).deletingLastPathComponent) }
        let (r, d) = try sh("""
            "$BIN" trace '\(specPath)' -o "$D/t.jsonl" & pid=$!
            n=0; while [ -z "$(ls -A "$D")" ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done
            kill -TERM $pid; wait $pid; echo "status=$?"
            ls -A "$D"
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        // Killed (143) or, on a very fast machine, finished (0): either way nothing half-written remains.
        #expect(r.stdout.contains("status=143") || r.stdout.contains("status=0"), "\(r.stdout)")
        #expect(CLI.fileNames(d).allSatisfy { !$0.contains(".tmp-") }, "\(CLI.fileNames(d))")
    }

    @Test("render removes the folder it created when Cairo refuses the picture size")
    func renderSizeError() throws {
        let row = "[" + (0..<400).map { String($0 % 7) }.joined(separator: ", ") + "]"
        let specPath = try CLI.temporaryFile("op: conv2d\ninput: [\(row)]\nkernel: [[1, 2, 1]]\n")
        let folder = (specPath as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/frames"
        let r = try CLI.run(["render", specPath, "-o", out, "--format", "png", "--scale", "8", "--cell", "0,0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("32767"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

@Suite("Standard input and standard output")
struct StandardStreamsTests {
    @Test("a closed standard input, /dev/zero and an oversized file give a message and exit 2")
    func boundedInput() throws {
        let (r, d) = try sh("""
            "$BIN" eval - <&-; echo "closed=$?"
            "$BIN" eval - < /dev/zero; echo "zero=$?"
            "$BIN" eval /dev/zero; echo "devzero=$?"
            """, timeout: 120)
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.contains("closed=2"), "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("zero=2"))
        #expect(r.stdout.contains("devzero=2"))
        #expect(r.stderr.contains("<stdin>: standard input is closed"))
        #expect(r.stderr.contains("/dev/zero: is larger than the 16 MiB"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test("a write error on standard output exits 1 with a message")
    func fullDevice() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let (r, d) = try sh("\"$BIN\" eval examples/conv-basic.yaml > /dev/full; echo \"status=$?\"")
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.contains("status=1"))
        #expect(r.stderr.contains("cannot write to standard output"))
    }

    @Test("a write that fails in the middle of a large trace (file size limit) exits 1, names the file, leaves nothing")
    func fileSizeLimit() throws {
        // LeNet's JSON Lines trace is 298 MB; the limit (2048 blocks, at most 2 MiB) stops it in one of the
        // first background (O_DIRECT) writes. SIGXFSZ is ignored, so write(2) returns EFBIG instead.
        let (r, d) = try sh("""
            ( ulimit -f 2048; trap '' XFSZ; "$BIN" trace examples/lenet5.yaml -o "$D/big.jsonl"; echo "status=$?" )
            ls -A "$D"
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(r.stdout.split(separator: "\n") == ["status=1"], "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("big.jsonl: cannot write: File too large"), "\(r.stderr)")
    }

    @Test("a reader that goes away (| head -1) ends replay with 0, not SIGPIPE")
    func brokenPipe() throws {
        let (r, d) = try sh("""
            ( "$BIN" replay examples/conv-basic.yaml --plain; echo $? > "$D/status" ) | head -1
            cat "$D/status"
            """)
        defer { try? FileManager.default.removeItem(atPath: d) }
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(r.stdout)")
        #expect(lines.last == "0", "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test("a result that overflows float64 is named and exits 2, never printed as Infinity")
    func overflow() throws {
        let path = try CLI.temporaryFile("op: conv2d\ninput: [[1e200, 1e200], [1e200, 1e200]]\nkernel: [[1e200]]\n")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let r = try CLI.run(["eval", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("output[0][0]: the result overflowed to +infinity"), "\(r.stderr)")
    }
}
