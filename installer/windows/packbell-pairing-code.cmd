@echo off
rem Prints a new single-use pairing code for one PC. The server's data folder is for
rem Administrators only (it holds the server's key), so this must run as administrator.
setlocal
set "DATA=%ProgramData%\packbell\server"
net session >nul 2>&1
if errorlevel 1 (
  echo Right-click "packbell pairing code" and choose "Run as administrator".
  echo Clic derecho en "packbell pairing code" y "Ejecutar como administrador".
  pause
  exit /b 1
)
set "ROLE="
set /p ROLE="Role: office, warehouse or admin [warehouse]: "
if "%ROLE%"=="" set ROLE=warehouse
"%~dp0packbell-server.exe" --data-dir "%DATA%" pairing-code --role %ROLE%
pause
