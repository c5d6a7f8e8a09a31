@echo off
rem Started at boot by the "packbell server" scheduled task, as SYSTEM. The server's
rem output (first pairing codes, warnings) is appended to server.log beside its data.
rem The server writes only to its console; this file is the log's only owner, so it
rem rotates it: at each start a server.log above LOG_ROTATE_BYTES becomes
rem server.old.log (replacing the previous one). Between two starts it is not capped.
setlocal
set "DATA=%ProgramData%\packbell\server"
set NO_COLOR=1
set LOG_ROTATE_BYTES=10000000
if not exist "%DATA%" mkdir "%DATA%"
if exist "%DATA%\server.log" for %%F in ("%DATA%\server.log") do if %%~zF GTR %LOG_ROTATE_BYTES% move /y "%DATA%\server.log" "%DATA%\server.old.log" >nul
echo ---- started %DATE% %TIME% >> "%DATA%\server.log"
"%~dp0packbell-server.exe" --data-dir "%DATA%" >> "%DATA%\server.log" 2>&1
