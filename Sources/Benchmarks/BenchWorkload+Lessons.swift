// Benchmarks — the `lessons` workload: the whole lesson set built from Lessons/ (target < 10 s).
import Engine
import Foundation
import LessonBuilder
import Tracing

extension BenchWorkload {
    /// Builds every lesson in `Lessons/` (run from the repository root) into a scratch folder, pictures
    /// included, exactly as `convtrace lessons` does: `lessons_build_s` (median of 3), the number of
    /// lessons and of claims checked.
    static let lessons = BenchWorkload(name: "lessons") { context in
        let lessonsDirectory = "Lessons"
        guard FileManager.default.fileExists(atPath: lessonsDirectory) else {
            throw BenchError(workload: "lessons", message: "run from the repository root (no Lessons/ folder here)")
        }
        let site = LessonSite(lessonsDirectory: lessonsDirectory, pictures: StoryboardPictures())
        let out = context.folder + "/lessons-out"
        var report = LessonSite.Report()
        let seconds = try context.medianSeconds(3) {
            try? FileManager.default.removeItem(atPath: out)
            report = try site.build(into: out)
        }
        return .object([
            ("lessons_build_s", rounded(seconds, 3)),
            ("lessons", .int(report.lessons.count)),
            ("claims_checked", .int(report.lessonClaims + report.errataChecks.count)),
        ])
    }
}
