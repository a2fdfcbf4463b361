// LessonBuilderTests — issue 13: lesson names that collide with the generated files, and escaped index links.
import Foundation
import LessonBuilder
import Testing

@Suite("Lesson index names")
struct LessonIndexNamesTests {
    @Test("README.md.md is refused by name, the other lessons and the index are still built")
    func reservedName() throws {
        let site = try ScratchSite()
        defer { site.remove() }
        try site.write("Lessons/README.md.md", "# Clash\n\nprose\n")
        let out = site.root + "/Output"
        #expect(throws: LessonError.self) { try site.site().build(into: out) }
        var isFolder: ObjCBool = true
        #expect(FileManager.default.fileExists(atPath: out + "/README.md", isDirectory: &isFolder) && !isFolder.boolValue)
        let index = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(index.contains("[One](01-one/README.md)"))
        do {
            try site.site().build(into: out)
        } catch let error as LessonError {
            #expect(error.file.hasSuffix("README.md.md"))
            #expect(error.message.contains("collides with the generated README.md"))
        }
    }

    @Test("titles and folder names are escaped in the index's links")
    func escaped() throws {
        let site = try ScratchSite()
        defer { site.remove() }
        try site.write("Lessons/03 a (b).md", "# Pipes | and [brackets]\n\nprose\n")
        let out = try site.buildOutput()
        let index = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(index.contains("[Pipes \\| and \\[brackets\\]](03%20a%20%28b%29/README.md)"), "\(index)")
        #expect(FileManager.default.fileExists(atPath: out + "/03 a (b)/README.md"))
    }
}
