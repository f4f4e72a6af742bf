# The calendar: office hours in Europe/London, bank holidays from the GOV.UK
# feed format, and timescale arithmetic across weekends, holidays and both
# clock changes. Included from tests/engine/CMakeLists.txt.
frontdoor_test(calendar_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/calendar_test.cc
  DEPS frontdoor_calendar
  LABELS engine)
