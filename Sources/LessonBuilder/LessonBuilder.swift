// LessonBuilder — placeholder until its module lands.
