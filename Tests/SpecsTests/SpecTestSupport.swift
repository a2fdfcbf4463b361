// SpecsTests — helpers: parse a spec from text, expect a SpecError and return it.
import Engine
import JSONText
import Specs
import Testing
import Tracing

/// Parses `text` as the file "t.yaml".
func parse(_ text: String) throws -> Problem {
    try SpecDocument.parse(text, file: "t.yaml")
}

/// The SpecError parsing `text` throws (fails the test when it parses).
func specError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> SpecError? {
    do {
        _ = try SpecDocument.parse(text, file: "t.yaml")
        Issue.record("expected a SpecError, but the spec parsed", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Parses and runs `text`, returning eval's JSON.
func evaluate(_ text: String) throws -> JSONValue {
    let p = try parse(text)
    return p.evalJSON(try p.run())
}

/// Flattens a nested JSON array of numbers (row-major) and returns its shape.
func numbers(_ v: JSONValue?) -> (shape: [Int], data: [Double]) {
    guard let v else { return ([-1], []) }
    if let d = v.doubleValue { return ([], [d]) }
    guard let items = v.arrayValue else { return ([-1], []) }
    let parts = items.map { numbers($0) }
    return ([items.count] + (parts.first?.shape ?? []), parts.flatMap(\.data))
}

/// |a − b| ≤ tol · max(1, max|b|) elementwise.
func close(_ a: [Double], _ b: [Double], tol: Double = 1e-12) -> Bool {
    guard a.count == b.count else { return false }
    let scale = Swift.max(1, b.map(abs).max() ?? 0)
    return zip(a, b).allSatisfy { abs($0 - $1) <= tol * scale }
}

/// Repository root (…/Tests/SpecsTests/ → …).
let repositoryRoot: String = {
    var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    url = "/" + url
    return url
}()
