-- Nothing but comments here.
/* Not even a
   statement. */
