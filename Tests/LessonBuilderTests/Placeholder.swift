// LessonBuilderTests — placeholder so the target builds; replaced by real suites.
import Testing
