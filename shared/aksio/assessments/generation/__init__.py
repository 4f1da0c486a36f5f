"""Cards and quizzes drafted from the course's documents, as background jobs."""
